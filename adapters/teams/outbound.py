"""Delivery to Teams: `TeamsOutbox` (customer threads, digests, campaigns) and `TeamsAgentDesk` (agents' cards).

Both find the conversation's stored reference (never another conversation's serviceUrl) and post through the
`Connector`. A reference Teams reports as gone (403 bot not in the roster, 404 conversation not found) is pruned
and the admins are told, then the error is raised so the core records the delivery as failed: never silent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from adapters.teams import cards
from adapters.teams.connector import Connector, DeliveryError, Ref
from adapters.teams.references import References, base_id
from bot.core.errors import ConfigError
from bot.core.types import Address, Reply, Ticket

log = logging.getLogger(__name__)

USER_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CARD_SEPARATOR = "|"  # card_ref = "<conversation id>|<activity id>"


class Courier:
    """Resolves references, sends, and handles stale ones; shared by the outbox and the agent desk."""

    def __init__(self, connector: Connector, references: References, admins: frozenset[str]) -> None:
        self.connector = connector
        self.references = references
        self.admins = admins  # AAD object ids; reached through their 1:1 chat with the bot once they have used it

    async def ref(self, conversation_id: str, opaque: Mapping[str, Any] | None = None) -> Ref:
        stored = await self.references.get(conversation_id)
        if stored is None and opaque and opaque.get("serviceUrl"):
            stored = Ref(base_id(conversation_id), str(opaque["serviceUrl"]), str(opaque.get("tenantId") or ""))
        if stored is None:
            raise ConfigError(
                f"Frontdesk has no Teams reference for conversation {conversation_id}: add the Frontdesk app to that "
                "channel or chat (Teams tells the bot where it lives when it is added or spoken to)"
            )
        return stored

    async def send(self, ref: Ref, activity: dict[str, Any]) -> str:
        try:
            return await self.connector.send(ref, activity)
        except DeliveryError as exc:
            await self._stale(ref, exc)
            raise

    async def update(self, ref: Ref, activity_id: str, activity: dict[str, Any]) -> None:
        try:
            await self.connector.update(ref, activity_id, activity)
        except DeliveryError as exc:
            await self._stale(ref, exc)
            raise

    async def _stale(self, ref: Ref, exc: DeliveryError) -> None:
        if not exc.stale:
            return
        await self.references.forget(ref.conversation_id)
        text = (
            f"Frontdesk can no longer post to a Teams conversation ({ref.conversation_id}): {exc}. It was removed from "
            "Frontdesk's list; add the app to that channel again if it should still get messages."
        )
        log.error("%s", text)
        await self.tell_admins(text, skip=ref.conversation_id)

    async def tell_admins(self, text: str, *, skip: str = "") -> int:
        """Post to each admin's 1:1 chat with the bot; one failing does not hide it from the others."""
        told = 0
        for admin in sorted(self.admins):
            chat = await self.references.personal_chat(admin)
            if not chat or chat == skip:
                continue
            ref = await self.references.get(chat)
            if ref is None:
                continue
            try:
                await self.connector.send(ref, cards.notice(text))
                told += 1
            except DeliveryError as exc:
                log.warning("could not tell admin %s: %s", admin, exc)
        if not told:
            log.warning("no Teams admin could be told (none has chatted with the bot yet): %s", text)
        return told


class TeamsOutbox:
    """`bot.core.ports.Outbox` for Teams: a reply in the customer's thread (or chat), as an Adaptive Card."""

    def __init__(self, courier: Courier) -> None:
        self.courier = courier

    async def send(self, address: Address, reply: Reply) -> str:
        channel = address.channel
        if USER_ID.match(channel):  # a person (AAD object id, e.g. a digest recipient): their 1:1 chat with the bot
            channel = await self.courier.references.personal_chat(channel) or channel
        ref = await self.courier.ref(channel, address.opaque)
        if address.thread and not address.is_dm:
            ref = ref.in_thread(address.thread)
        activity_id = await self.courier.send(ref, cards.reply(reply))
        return f"{ref.conversation_id}{CARD_SEPARATOR}{activity_id}"


def split_ref(card_ref: str) -> tuple[str, str]:
    conversation, _, activity = card_ref.rpartition(CARD_SEPARATOR)
    if not conversation or not activity:
        raise ValueError(f"not a Teams card reference (conversation|activity): {card_ref!r}")
    return conversation, activity


def thread_link(ticket: Ticket) -> str:
    """A deep link to the customer's channel thread (Teams opens it in the app)."""
    address = ticket.address
    if ticket.handoff.transcript_link:
        return ticket.handoff.transcript_link
    if address.is_dm or not address.thread:
        return ""
    tenant = str(address.opaque.get("tenantId") or address.workspace)
    return f"https://teams.microsoft.com/l/message/{address.channel}/{address.thread}?tenantId={tenant}"


class TeamsAgentDesk:
    """`bot.core.ports.AgentDesk` for Teams: cards in the team's agents channel, updated in place for everyone."""

    def __init__(self, courier: Courier, channel_for: Callable[[str], Awaitable[str]], names: Mapping[str, str]) -> None:
        self.courier = courier
        self.channel_for = channel_for
        self.names = names  # AAD object id -> display name, learned from activities (for "Claimed by …")

    def _card(self, ticket: Ticket) -> dict[str, Any]:
        return cards.ticket_card(ticket, thread_link(ticket), self.names.get(ticket.agent or "", ""))

    async def post(self, ticket: Ticket) -> str:
        channel = await self.channel_for(ticket.handoff.team)
        if not channel:
            raise ConfigError(
                f"no Teams agents channel for team {ticket.handoff.team!r}: set FRONTDESK_TEAMS_AGENTS_CHANNEL, "
                f"[msteams] agents_channel or [teams.{ticket.handoff.team or 'support'}] teams_channel"
            )
        ref = await self.courier.ref(channel)
        activity_id = await self.courier.send(ref, self._card(ticket))
        if ticket.handoff.reported:
            who = ticket.handoff.customer
            name = (who.name or who.id) if who else "a customer"
            await self.courier.tell_admins(
                f"Reported for review: a message from {name} was flagged as a threat or abuse and handed to the "
                f"{ticket.handoff.team or 'support'} team."
            )
        return f"{ref.conversation_id}{CARD_SEPARATOR}{activity_id}"

    async def update(self, ticket: Ticket) -> None:
        if not ticket.card_ref:
            log.warning("ticket %s has no card to update", ticket.id)
            return
        conversation, activity_id = split_ref(ticket.card_ref)
        ref = await self.courier.ref(conversation)
        await self.courier.update(ref, activity_id, self._card(ticket))

    async def ask(self, ticket: Ticket, prompt: Reply) -> None:
        if not ticket.card_ref:
            log.warning("ticket %s has no card to ask under", ticket.id)
            return
        conversation, activity_id = split_ref(ticket.card_ref)
        ref = (await self.courier.ref(conversation)).in_thread(activity_id)
        values = [f"{ticket.id}:{action.value}" for action in prompt.actions]
        await self.courier.send(ref, cards.reply(prompt, values))
