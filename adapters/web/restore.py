"""Rebuild the playground's message log from the store when the server starts.

The page's log (`WebOutbox`) lives in memory, but the conversations, decisions and handoffs behind it are in the
database. Without this, restarting the server (e.g. after editing frontdesk.toml) left the agent pane full of
handoffs whose "View conversation" showed nothing. The rebuild is faithful where the store keeps the facts and
close where it does not:

- what was said comes from the conversation's turns (customer, AI, agent), with each AI reply's "why" line and
  trace from its stored decision;
- the claim and resolve notices come from the handoff's timestamps, in the conversation's language;
- an answer cites its top article, so a restored answer shows that source again from the knowledge base (without
  the passage snippet, which is not stored); agents appear under the name they last typed in the agent pane (kept
  in the store's settings).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from adapters.web.outbox import BOT_NAME, WebMessage, WebOutbox
from adapters.web.views import why_json
from bot.core.conversation import Conversation
from bot.core.ports import DecisionRecord, FeedbackEntry, Phrasebook, Store
from bot.core.types import Address, Citation, HandoffStatus, Reply, Role, Ticket, TicketKind, TraceStep
from bot.orchestration.desk import csat_actions
from bot.orchestration.engine import customer_actions

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=7)  # reads every decision of the period (all platforms): keep a first start quick


@runtime_checkable
class _Traces(Protocol):
    async def trace(self, decision_id: int) -> tuple[TraceStep, ...]: ...


class _Names:
    """Agent ids to the names they typed, read from the store's settings once per id."""

    def __init__(self, store: Store, key: str) -> None:
        self.store = store
        self.key = key
        self.known: dict[str, str] = {}

    async def of(self, agent_id: str) -> str:
        if not agent_id:
            return "agent"
        if agent_id not in self.known:
            self.known[agent_id] = await self.store.get_setting(self.key + agent_id) or agent_id
        return self.known[agent_id]


@dataclass(slots=True)
class _Entry:
    """One message to put back, with what is needed to order it and mark its buttons."""

    at: datetime
    role: str
    author: str
    text: str
    reply: Reply | None = None
    why: dict[str, Any] | None = None
    message_id: str | None = None
    feedback: bool = False  # shows Helpful / Not helpful
    pressed: frozenset[str] = frozenset()


async def restore_playground(
    store: Store,
    outbox: WebOutbox,
    phrases: Phrasebook,
    prefix: str,
    *,
    names_key: str,
    sources: Mapping[str, Citation] | None = None,
    now: datetime | None = None,
) -> int:
    """Refill `outbox` with the conversations whose key starts with `prefix`; returns how many were restored.

    `sources` are the knowledge base's customer articles by id: an answer cites its top article, so a restored
    answer shows that source again (without the passage snippet, which is not stored).
    """
    since = (now or datetime.now(UTC)) - LOOKBACK
    records: dict[str, list[DecisionRecord]] = {}
    for record in await store.decisions(since):
        if record.conversation_key.startswith(prefix):
            records.setdefault(record.conversation_key, []).append(record)
    tickets: dict[str, list[Ticket]] = {}
    for ticket in await store.tickets():
        tickets.setdefault(ticket.conversation_key, []).append(ticket)
    feedback: dict[str, list[FeedbackEntry]] = {}
    for item in await store.feedback(since):
        feedback.setdefault(item.conversation_key, []).append(item)
    conversations = [c for c in [await store.load_conversation(key) for key in records] if c is not None and c.turns]
    conversations.sort(key=lambda c: c.turns[-1].at)  # oldest first: the outbox keeps the most recent ones
    names = _Names(store, names_key)
    for conversation in conversations:
        entries = await _entries(
            store,
            conversation,
            sorted(records[conversation.key], key=lambda r: r.id),
            tickets.get(conversation.key, []),
            feedback.get(conversation.key, []),
            phrases,
            names,
            sources or {},
        )
        for entry in entries:
            _put(outbox, conversation.address, entry)
    if conversations:
        log.info("playground: restored %d conversations from the store", len(conversations))
    return len(conversations)


async def _entries(
    store: Store,
    conversation: Conversation,
    records: Sequence[DecisionRecord],
    tickets: Sequence[Ticket],
    feedback: Sequence[FeedbackEntry],
    phrases: Phrasebook,
    names: _Names,
    sources: Mapping[str, Citation],
) -> list[_Entry]:
    language = conversation.language or "en"
    customer = conversation.customer.name or conversation.customer.id
    spoken = [r for r in records if r.kind != "ignore"]
    unused_ids = {r.message_id: r for r in records if r.text}
    entries: list[_Entry] = []
    for turn in conversation.turns:
        if turn.role is Role.CUSTOMER:
            match = next((r for r in unused_ids.values() if r.text == turn.text), None)
            if match is not None:
                del unused_ids[match.message_id]
            message_id = match.message_id if match is not None else None
            entries.append(_Entry(turn.at, "customer", customer, turn.text, message_id=message_id))
        elif turn.role is Role.AGENT:
            author = await names.of(turn.author_id)
            entries.append(_Entry(turn.at, "agent", author, turn.text, reply=Reply(turn.text)))
        elif turn.author_id:  # an AI draft an agent approved: sent as Frontdesk, with the usual buttons
            actions = customer_actions(phrases, language)
            entries.append(_Entry(turn.at, "bot", BOT_NAME, turn.text, Reply(turn.text, actions=actions), feedback=True))
        else:
            record = _next_record(spoken, turn.decision)
            entries.append(
                await _bot_entry(store, turn.at, turn.text, turn.decision, record, phrases, language, sources)
            )
            if record is not None and record.message_id.endswith(":human") and not record.text:
                _press_last(entries[:-1], "human")  # the escalation came from that message's button
    entries += await _notices(tickets, conversation, phrases, language, names)
    entries.sort(key=lambda e: e.at)
    _mark_feedback(entries, feedback)
    return entries


def _next_record(spoken: list[DecisionRecord], kind: str) -> DecisionRecord | None:
    """The next stored decision of this kind (decisions that produced no message are skipped)."""
    while spoken:
        record = spoken.pop(0)
        if record.kind == kind:
            return record
    return None


async def _bot_entry(
    store: Store,
    at: datetime,
    text: str,
    kind: str,
    record: DecisionRecord | None,
    phrases: Phrasebook,
    language: str,
    sources: Mapping[str, Citation],
) -> _Entry:
    why = None
    if record is not None:
        trace: list[dict[str, Any]] = []
        if isinstance(store, _Traces):
            try:
                trace = [{"step": s.step, "outcome": s.outcome, "detail": s.detail} for s in await store.trace(record.id)]
            except Exception:  # noqa: BLE001 - the line matters more than its detail
                trace = []
        articles = [{"id": a, "title": a, "score": None} for a in record.article_ids]
        why = why_json(record.kind, record.reason, record.confidence, articles, trace)
    answered = kind == "answer" and (record is None or record.reason == "answered")
    if answered:
        actions = customer_actions(phrases, language)
    elif kind == "answer":
        actions = customer_actions(phrases, language, feedback=False)
    else:
        actions = ()
    cited = sources.get(record.article_ids[0]) if answered and record is not None and record.article_ids else None
    reply = Reply(text, (cited,) if cited is not None else (), actions)
    return _Entry(at, "bot", BOT_NAME, text, reply, why, feedback=answered)


async def _notices(
    tickets: Sequence[Ticket], conversation: Conversation, phrases: Phrasebook, language: str, names: _Names
) -> list[_Entry]:
    """The claim and resolve notices a handoff sent (an approved draft sends neither)."""
    sent_at = {turn.at for turn in conversation.turns if turn.author_id}
    entries: list[_Entry] = []
    for ticket in tickets:
        if ticket.kind is not TicketKind.HANDOFF:
            continue
        agent = await names.of(ticket.agent) if ticket.agent else "an agent"
        if ticket.claimed_at is not None and ticket.claimed_at not in sent_at:
            text = phrases.say("claimed", language, agent=agent)
            entries.append(_Entry(ticket.claimed_at, "bot", BOT_NAME, text, Reply(text)))
        if ticket.status is HandoffStatus.RESOLVED and ticket.resolved_at is not None:
            text = phrases.say("resolved_csat", language)
            entries.append(_Entry(ticket.resolved_at, "bot", BOT_NAME, text, Reply(text, actions=csat_actions())))
    return entries


def _mark_feedback(entries: list[_Entry], feedback: Sequence[FeedbackEntry]) -> None:
    """Show buttons already pressed as pressed, so a second press after the restart is not counted twice."""
    for item in sorted(feedback, key=lambda f: f.at):
        if item.kind == "helpful" and item.helpful is not None:
            # Feedback does not say which message it was for: the latest answer not yet rated is the likeliest.
            done = {"helpful", "not_helpful"}
            target = [e for e in entries if e.feedback and e.at <= item.at and not e.pressed & done]
            if target:
                target[-1].pressed |= {"helpful" if item.helpful else "not_helpful"}
        elif item.kind == "csat" and item.score is not None:
            asked = [e for e in entries if e.reply is not None and e.reply.actions == csat_actions() and e.at <= item.at]
            if asked:
                asked[-1].pressed |= {f"csat:{item.score}"}


def _press_last(entries: list[_Entry], kind: str) -> None:
    for entry in reversed(entries):
        if entry.role == "bot" and entry.reply is not None and any(a.kind == kind for a in entry.reply.actions):
            entry.pressed |= {kind}
            return


def _put(outbox: WebOutbox, address: Address, entry: _Entry) -> WebMessage:
    if entry.role == "customer":
        return outbox.restore(address, "customer", entry.author, entry.at, entry.text, message_id=entry.message_id)
    return outbox.restore(
        address, entry.role, entry.author, entry.at, entry.text, reply=entry.reply, why=entry.why, pressed=entry.pressed
    )
