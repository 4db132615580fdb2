"""Customers who asked for no AI answers (rule 11), kept in the store's settings.

Not to be confused with `bot.orchestration.optout`: that is an organisation's opt-out of proactive campaign
messages; this is one customer's choice that people, not the AI, answer them. The policy step `policies.no_ai`
recognises the request; the dispatcher records it here and reads it on every turn of that customer; admins list and
clear it with `/frontdesk optout`.

One setting per customer (`no_ai.<platform>:<workspace>:<customer id>`, read on each of their messages) and one
index of all of them (for the admin listing), both written here so the key scheme lives in one place.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from bot.core.conversation import conversation_key
from bot.core.ports import Phrasebook, Store
from bot.core.types import Actor, Address, Decision, Ignore, Inbound, InboundKind

log = logging.getLogger(__name__)

PREFIX = "no_ai."
CACHE_SECONDS = 5.0
INDEX = "no_ai_index"  # JSON object: subject -> entry (who, when, how), for `/frontdesk optout`


@dataclass(frozen=True, slots=True)
class NoAiEntry:
    subject: str  # platform:workspace:customer id
    name: str
    org: str
    at: str  # ISO time of the request
    how: str  # "button" or the phrase typed

    def describe(self) -> str:
        who = self.name or self.subject.rsplit(":", 1)[-1]
        org = f" ({self.org})" if self.org else ""
        platform = self.subject.split(":", 1)[0]
        return f"{who}{org} on {platform}, since {self.at[:16].replace('T', ' ')} UTC ({self.how})"


def subject(customer: Actor, address: Address) -> str:
    return f"{address.platform.value}:{address.workspace}:{customer.id}"


async def opted_out(store: Store, customer: Actor, address: Address) -> bool:
    """True when this customer asked for no AI answers. Read on every customer message, so cached for
    `CACHE_SECONDS`: a choice made through this process counts at once (`opt_out` and `clear` write through the
    same store), one made on another replica within seconds. The thread where the customer asked is already with a
    person, so the window concerns only a new thread opened in those seconds."""
    return bool(await store.get_setting(PREFIX + subject(customer, address), max_age=CACHE_SECONDS))


async def opt_out(store: Store, customer: Actor, address: Address, at: datetime, how: str) -> NoAiEntry:
    entry = NoAiEntry(subject(customer, address), customer.name, customer.org, at.isoformat(), how)
    await store.put_setting(PREFIX + entry.subject, entry.at)
    index = await _index(store)
    index[entry.subject] = entry
    await _save(store, index)
    return entry


async def listed(store: Store) -> list[NoAiEntry]:
    """Every customer who asked for no AI answers, oldest request first."""
    return sorted((await _index(store)).values(), key=lambda e: e.at)


async def clear(store: Store, who: str) -> list[NoAiEntry]:
    """Switch AI answers back on for the customers `who` names: "all", a subject, a customer id, a name or an
    organisation (case-insensitive). Returns the entries cleared (none when nothing matched)."""
    index = await _index(store)
    wanted = who.strip().lower()
    cleared = [
        e
        for e in index.values()
        if wanted == "all"
        or wanted in (e.subject.lower(), e.subject.rsplit(":", 1)[-1].lower(), e.name.lower(), e.org.lower())
    ]
    for entry in cleared:
        await store.put_setting(PREFIX + entry.subject, "")
        del index[entry.subject]
    if cleared:
        await _save(store, index)
    return cleared


async def _index(store: Store) -> dict[str, NoAiEntry]:
    raw = await store.get_setting(INDEX)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return {key: NoAiEntry(**value) for key, value in data.items()}
    except (ValueError, TypeError, AttributeError):
        log.warning("the stored list of customers without AI answers is unreadable; starting a new one")
        return {}


async def _save(store: Store, index: dict[str, NoAiEntry]) -> None:
    data = {key: asdict(entry) for key, entry in sorted(index.items())}
    await store.put_setting(INDEX, json.dumps(data, ensure_ascii=False))


def press(address: Address, customer: Actor, unique: str, at: datetime) -> Inbound:
    """The "No AI answers for me" button as an inbound event (`unique`: the press's platform-stable id)."""
    return Inbound(f"{address.channel}:{unique}:no_ai", address, customer, "", at, kind=InboundKind.NO_AI)


async def quiet_confirmation(store: Store, phrases: Phrasebook, decision: Decision | None, address: Address) -> str:
    """The confirmation to show the customer when the press was recorded silently (a person already has the
    thread, so no notice went out); "" when the decision itself told them."""
    if not isinstance(decision, Ignore):
        return ""
    conversation = await store.load_conversation(conversation_key(address))
    return phrases.say("no_ai_confirmed", (conversation.language if conversation else None) or "en")
