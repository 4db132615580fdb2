"""The dispatcher: accepts events into the inbox, decides them, and commits each decision with its outbox.

The message path (docs/decisions.md, "Inbox, decision, outbox"): `accept` records the event with its payload
before the platform is acknowledged; `process` loads the conversation, asks the engine, and commits in one
transaction the inbox entry's closing, the conversation, the ticket, the decision and everything it sends (outbox
items); then `Delivery` makes the first attempt. A crash anywhere leaves either a pending inbox entry
(`sweep_inbox` decides it again) or committed outbox items (the worker sends them) - never a key without a
decision. Any exception while deciding becomes a handoff (`Engine.fail_safe`). Concurrent messages in one
conversation are serialised by a per-conversation lock; decisions in flight are bounded by a semaphore.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import assert_never

from bot.core.conversation import Conversation, ConversationStatus, Turn, conversation_key
from bot.core.outbox import OutboxItem, OutboxKind, TurnWrite
from bot.core.ports import AgentDesk, FeedbackEntry, History, Outbox, Store
from bot.core.types import (
    Actor,
    Address,
    Decision,
    Draft,
    Escalate,
    EscalationReason,
    Handoff,
    Ignore,
    Inbound,
    InboundKind,
    Mode,
    Platform,
    Reply,
    Respond,
    Role,
    Ticket,
    TicketKind,
    decision_kind,
)
from bot.orchestration import no_ai as no_ai_store
from bot.orchestration.delivery import Delivery, describe
from bot.orchestration.desk import Desk
from bot.orchestration.engine import Engine, is_failed_attempt
from bot.orchestration.locks import Locks
from bot.orchestration.ordering import Done, decide_earlier

log = logging.getLogger(__name__)
WITH_PEOPLE = frozenset({"claimed_by_human", "awaiting_human"})  # the engine's gate: a person has the thread


def decision_team(decision: Decision) -> str:
    """The team a decision concerns, when the decision itself says: the handoff's team, or the answering article's."""
    match decision:
        case Escalate() | Draft():
            return decision.handoff.team
        case Respond():
            return next((a.team for a in decision.articles if a.team), "")
        case Ignore():
            return ""
        case _:
            assert_never(decision)


MAX_TEXT = 40_000  # Slack's own message limit; longer texts are cut before retrieval so the loop never stalls
FAIL_SAFE_AFTER = 3  # failed attempts at deciding one event before it is handed to a person as it is


def _customer_adds(inbound: Inbound, decision: Decision) -> bool:
    """A customer message the AI stayed quiet on because a person has the thread."""
    quiet = isinstance(decision, Ignore) and decision.reason in WITH_PEOPLE
    return quiet and inbound.author.role is Role.CUSTOMER and inbound.kind is InboundKind.MESSAGE


def clean_text(text: str) -> str:
    """Text every store and tokenizer accepts: no NUL bytes, no lone surrogates, at most `MAX_TEXT` characters."""
    text = text[:MAX_TEXT].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def clean(inbound: Inbound) -> Inbound:
    text = clean_text(inbound.text)
    return inbound if text == inbound.text else replace(inbound, text=text)


def outbox_items(address: Address, inbound: Inbound, decision: Decision, ticket: Ticket | None) -> list[OutboxItem]:
    """What a decision sends, in order; each with a key that stays the same on every retry."""
    items: list[OutboxItem] = []

    def reply(message: Reply) -> None:
        items.append(OutboxItem(OutboxKind.REPLY, address, message))

    def card() -> None:
        if ticket is not None:
            items.append(OutboxItem(OutboxKind.CARD, address, ticket_id=ticket.id))

    match decision:
        case Respond():
            reply(decision.reply)
        case Escalate():
            if decision.reply.text:  # a customer who asked for no AI answers is handed off without a word
                reply(decision.reply)
            card()
        case Draft():
            card()
            if decision.notice is not None:
                reply(decision.notice)
        case Ignore():
            pass
        case _:
            assert_never(decision)
    prefix = f"{inbound.address.platform}:{inbound.message_id}"
    return [replace(item, key=f"{prefix}:{n}") for n, item in enumerate(items)]


@dataclass(slots=True)
class PipelineStats:
    """Counters since start, for /metrics: events accepted, retries dropped, decisions by kind and reason."""

    received: int = 0
    duplicates: int = 0
    decide_errors: int = 0  # exceptions while deciding (each became a handoff)
    store_errors: int = 0  # decisions that could not be recorded (left pending for the sweep)
    decisions: Counter[tuple[str, str]] = field(default_factory=Counter)
    reply_seconds: list[float] = field(default_factory=list)  # drained by the metrics collector


def _just_written(ticket: Ticket | None) -> dict[str, Ticket] | None:
    """The decision's own ticket for the first delivery attempt, so the card is not read back (one write fewer)."""
    return {ticket.id: ticket} if ticket else None


@dataclass(slots=True)
class Dispatcher:
    store: Store
    engine: Engine
    outboxes: Mapping[Platform, Outbox]
    desks: Mapping[Platform, AgentDesk]
    desk: Desk
    locks: Locks = field(default_factory=Locks)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    delivery: Delivery | None = None  # built from the same parts when not given
    concurrency: int = 16  # decisions in flight per process: a burst is served in arrival order, not all at once
    stats: PipelineStats = field(default_factory=PipelineStats)
    _slots: asyncio.Semaphore | None = None
    _in_hand: Counter[tuple[str, str]] = field(default_factory=Counter)  # events this process is deciding or queueing

    def __post_init__(self) -> None:
        if self.delivery is None:
            self.delivery = Delivery(self.store, self.outboxes, self.desks, self.clock)

    @property
    def outbox(self) -> Delivery:
        assert self.delivery is not None
        return self.delivery

    async def accept(self, inbound: Inbound) -> bool:
        """Durably record an event before it is acknowledged; False for a platform retry of a recorded one.

        Raises when the store cannot be written: the platform must then be told to retry (HTTP 503), never
        acknowledged.
        """
        new = await self.store.accept(clean(inbound))
        if new:
            self.stats.received += 1
        else:
            self.stats.duplicates += 1
        return new

    async def submit(self, inbound: Inbound) -> Decision | None:
        """Accept and handle one inbound event. Returns None for a platform retry of something already handled."""
        if not await self.accept(inbound):
            log.info("duplicate delivery %s:%s ignored", inbound.address.platform, inbound.message_id)
            return None
        return await self.process(inbound)

    async def process(self, inbound: Inbound, *, fail_safe: bool = False) -> Decision | None:
        """Decide an accepted event, commit the decision with its outbox, then make the first delivery attempt.

        None when the event was already decided (by another replica or an earlier attempt), or when the store
        failed: the event then stays pending in the inbox and `sweep_inbox` hands it out again.
        """
        held = (str(inbound.address.platform), inbound.message_id)
        self._in_hand[held] += 1
        try:
            return await self._process(clean(inbound), fail_safe=fail_safe)
        finally:
            self._in_hand[held] -= 1
            if self._in_hand[held] <= 0:
                del self._in_hand[held]

    async def _process(self, inbound: Inbound, *, fail_safe: bool) -> Decision | None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        attempts = 0
        earlier: list[tuple[Inbound, Done]] = []
        async with self._slots:
            key = conversation_key(inbound.address)
            try:
                async with self.locks.hold(key):
                    if self.locks.shared is not None:  # replicas: this conversation's earlier events go first
                        earlier = await decide_earlier(
                            self.store, inbound, lambda e: self._decide_and_record(key, e), self.outbox.deliver
                        )
                    done = await self._decide_and_record(key, inbound, fail_safe=fail_safe)
                    if done is not None:  # sent under the lock, so replies leave in the order they were decided
                        await self.outbox.deliver(done[2], _just_written(done[3]))
            except Exception as exc:  # noqa: BLE001 - the event stays in the inbox and is retried
                log.error("could not decide %s:%s: %s", inbound.address.platform, inbound.message_id, describe(exc))
                attempts = await self._count_failure(inbound)
                self.stats.store_errors += 1
                done = None
        for event, finished in earlier:
            await self._follow_up(event, finished)
        if done is None and not fail_safe and attempts >= FAIL_SAFE_AFTER:
            # Something about this event keeps failing (not only a database outage): hand it to a person as it is.
            return await self._process(inbound, fail_safe=True)
        if done is None:
            return None
        return await self._follow_up(inbound, done)

    async def _follow_up(self, inbound: Inbound, done: Done) -> Decision:
        """After a decided event's lock is released: counters, and the desk's part (which takes the lock itself)."""
        conversation, decision, items, _ticket = done
        self.stats.decisions[(decision_kind(decision), decision.reason)] += 1
        if items and len(self.stats.reply_seconds) < 10_000:
            self.stats.reply_seconds.append(max(0.0, (self.clock() - inbound.received_at).total_seconds()))
        if conversation.handoff_id and _customer_adds(inbound, decision):
            # The AI stays quiet while people own the thread; what the customer adds goes to the card and the agent.
            await self.desk.customer_wrote(conversation.handoff_id, inbound.text)
        escalated = conversation.status is ConversationStatus.ESCALATED
        if inbound.author.role is Role.AGENT:
            await self.desk.saw(inbound.author, platform=inbound.address.platform.value)
        if inbound.author.role is Role.AGENT and escalated and conversation.handoff_id:
            # An agent answering in the customer's thread takes it over, as if they had pressed Claim.
            await self.desk.claim(conversation.handoff_id, inbound.author)
        return decision

    async def sweep_inbox(self, older_than: timedelta = timedelta(seconds=30), limit: int = 100) -> int:
        """Decide events accepted but never decided (the process died, or the database failed, in between)."""
        handled = 0
        for inbound in await self.store.pending_inbound(self.clock() - older_than, limit):
            if (str(inbound.address.platform), inbound.message_id) in self._in_hand:
                continue  # queued here behind a burst, not forgotten: deciding it twice would only waste the work
            if await self.process(inbound) is not None:
                handled += 1
        return handled

    async def feedback(self, address: Address, actor: Actor, *, helpful: bool, message_id: str) -> Decision | None:
        """A "Helpful" / "Not helpful" press on an AI message; "not helpful" counts as a failed attempt."""
        key = conversation_key(address)
        conversation = await self.store.load_conversation(key)
        articles = tuple(a.article_id for a in conversation.last_articles) if conversation else ()
        await self.store.add_feedback(
            FeedbackEntry("helpful", key, actor.id, self.clock(), helpful=helpful, article_ids=articles)
        )
        if helpful:
            return None
        return await self.submit(
            Inbound(message_id, address, actor, "", self.clock(), kind=InboundKind.NOT_HELPFUL)
        )

    async def _decide_and_record(
        self, key: str, inbound: Inbound, *, fail_safe: bool = False
    ) -> Done | None:
        conversation = await self.store.load_conversation(key) or Conversation(
            key=key, address=inbound.address, customer=inbound.author, started_at=inbound.received_at
        )
        asked = self._record_inbound(conversation, inbound)
        channel = await self.store.channel_policy(inbound.address, self.clock())
        vip = await self.store.is_vip(inbound.author)
        no_ai = inbound.author.role is Role.CUSTOMER and await no_ai_store.opted_out(
            self.store, inbound.author, inbound.address
        )
        history = History.of(conversation, exclude_last=asked)
        try:
            if fail_safe:
                decision = await self.engine.fail_safe(inbound, history, channel, "recording this message failed repeatedly")
            else:
                decision = await self.engine.decide(inbound, history, channel, vip=vip, no_ai=no_ai)
        except Exception as exc:  # noqa: BLE001 - never silence: whatever failed, a person takes the turn
            log.exception("deciding %s:%s failed; handing off", inbound.address.platform, inbound.message_id)
            self.stats.decide_errors += 1
            decision = await self.engine.fail_safe(inbound, history, channel, describe(exc))
        await self._record_no_ai(inbound, decision, already=no_ai)
        ticket = self._apply(conversation, inbound, decision)
        team = decision_team(decision) or channel.team or self.engine.default_team
        items = [i for i in outbox_items(conversation.address, inbound, decision, ticket) if self._can_send(i)]
        recorded = await self.store.record_turn(TurnWrite(inbound, conversation, decision, team, ticket, tuple(items)))
        if recorded is None:
            log.info("%s:%s was already decided elsewhere", inbound.address.platform, inbound.message_id)
            return None
        return conversation, decision, recorded.outbox, ticket

    def _can_send(self, item: OutboxItem) -> bool:
        """Only queue what this deployment can deliver (a platform without an agents' side gets no card row)."""
        registered = self.outboxes if item.kind is OutboxKind.REPLY else self.desks
        return Platform(item.platform) in registered

    async def _count_failure(self, inbound: Inbound) -> int:
        try:
            return await self.store.inbound_failed(inbound)
        except Exception as exc:  # noqa: BLE001 - the database is down: the sweep will try again
            log.warning("could not count the failed attempt: %s", describe(exc))
            return 0

    # -- internals ----------------------------------------------------------------------------------------------

    async def _record_no_ai(self, inbound: Inbound, decision: Decision, *, already: bool) -> None:
        """Store a customer's "no AI answers" (typed or pressed). A press counts even when the thread is already
        with a person (the engine's gate stays silent then): the choice is about every later conversation too."""
        pressed = inbound.kind is InboundKind.NO_AI and inbound.author.role is Role.CUSTOMER
        if decision.reason != EscalationReason.NO_AI_REQUESTED and not (pressed and not already):
            return
        how = next((s.detail for s in decision.trace if s.step == "no_ai"), "").removeprefix(decision.reason).strip()
        await no_ai_store.opt_out(self.store, inbound.author, inbound.address, self.clock(), how or "button")

    @staticmethod
    def _record_inbound(conversation: Conversation, inbound: Inbound) -> bool:
        """Add the inbound to the conversation; True when it added a customer message (the current question)."""
        if inbound.kind is InboundKind.NOT_HELPFUL:
            conversation.record_failure()
            return False
        if inbound.kind is InboundKind.MESSAGE and inbound.text:
            is_customer = inbound.author.role is Role.CUSTOMER
            role = Role.CUSTOMER if is_customer else Role.AGENT
            conversation.add_turn(Turn(role, inbound.text, inbound.received_at, inbound.author.id))
            return is_customer
        return False

    def _apply(self, conversation: Conversation, inbound: Inbound, decision: Decision) -> Ticket | None:
        if is_failed_attempt(decision):
            conversation.record_failure()
        now = self.clock()
        match decision:
            case Respond():
                conversation.language = decision.language
                conversation.add_turn(Turn(Role.BOT, decision.reply.text, now, "", "answer", decision.reason))
                if decision.articles:
                    conversation.record_answer(decision.articles)
                return None
            case Escalate():
                conversation.language = decision.language
                if decision.reply.text:  # a customer who asked for no AI answers is handed off without a word
                    conversation.add_turn(Turn(Role.BOT, decision.reply.text, now, "", "escalate", decision.reason))
                ticket = self._open(conversation, decision.handoff, TicketKind.HANDOFF)
                conversation.escalate(ticket.id)
                return ticket
            case Draft():
                conversation.language = decision.language
                kind = TicketKind.DRAFT if decision.mode is Mode.PRE_APPROVAL else TicketKind.HANDOFF
                ticket = self._open(conversation, decision.handoff, kind)
                conversation.escalate(ticket.id)
                if decision.notice is not None:
                    conversation.add_turn(Turn(Role.BOT, decision.notice.text, now, "", "draft", decision.reason))
                return ticket
            case Ignore():
                return None
            case _:
                assert_never(decision)

    def _open(self, conversation: Conversation, handoff: Handoff, kind: TicketKind) -> Ticket:
        """A new ticket, written by `record_turn` in the decision's transaction (its id is known before)."""
        return Ticket(
            id=uuid.uuid4().hex,
            conversation_key=conversation.key,
            address=conversation.address,
            handoff=handoff,
            kind=kind,
            created_at=self.clock(),
        )
