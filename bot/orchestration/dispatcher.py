"""The dispatcher: de-duplicates platform retries, loads the conversation, asks the engine, persists, delivers.

It is the only place that turns a `Decision` into side effects, in a fixed order: record the turn and decision
(so a crash after this point can be redelivered), then send to the customer and post to agents, then mark the
decision delivered. Concurrent messages in one conversation are serialised by a per-conversation lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import assert_never

from bot.core.conversation import Conversation, ConversationStatus, Turn, conversation_key
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
)
from bot.orchestration import no_ai as no_ai_store
from bot.orchestration.desk import Desk
from bot.orchestration.engine import Engine, is_failed_attempt
from bot.orchestration.locks import Locks

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


def _customer_adds(inbound: Inbound, decision: Decision) -> bool:
    """A customer message the AI stayed quiet on because a person has the thread."""
    quiet = isinstance(decision, Ignore) and decision.reason in WITH_PEOPLE
    return quiet and inbound.author.role is Role.CUSTOMER and inbound.kind is InboundKind.MESSAGE


@dataclass(slots=True)
class Dispatcher:
    store: Store
    engine: Engine
    outboxes: Mapping[Platform, Outbox]
    desks: Mapping[Platform, AgentDesk]
    desk: Desk
    locks: Locks = field(default_factory=Locks)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def submit(self, inbound: Inbound) -> Decision | None:
        """Handle one inbound event. Returns None for a platform retry of something already handled."""
        if not await self.store.first_delivery(inbound.address.platform.value, inbound.message_id):
            log.info("duplicate delivery %s:%s ignored", inbound.address.platform, inbound.message_id)
            return None
        key = conversation_key(inbound.address)
        async with self.locks.hold(key):
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
            decision = await self.engine.decide(inbound, history, channel, vip=vip, no_ai=no_ai)
            await self._record_no_ai(inbound, decision, already=no_ai)
            ticket = await self._apply(conversation, inbound, decision)
            await self.store.save_conversation(conversation)
            team = decision_team(decision) or channel.team or self.engine.default_team
            decision_id = await self.store.record_decision(key, inbound, decision, team=team)
        if await self._deliver(conversation.address, decision, ticket):
            await self.store.mark_delivered(decision_id)
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

    async def redeliver_pending(self, older_than: timedelta = timedelta(seconds=30)) -> int:
        """Resend replies that were decided but never confirmed sent (the process died in between)."""
        sent = 0
        for record in await self.store.undelivered(self.clock() - older_than):
            conversation = await self.store.load_conversation(record.conversation_key)
            if conversation is None or not record.reply:
                await self.store.mark_delivered(record.id)
                continue
            outbox = self.outboxes.get(conversation.address.platform)
            if outbox is None:
                continue
            try:
                await outbox.send(conversation.address, Reply(record.reply))
            except Exception:  # noqa: BLE001 - a platform outage must not stop the sweep
                log.exception("redelivery of decision %s failed", record.id)
                continue
            await self.store.mark_delivered(record.id)
            sent += 1
        return sent

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

    async def _apply(self, conversation: Conversation, inbound: Inbound, decision: Decision) -> Ticket | None:
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
                ticket = await self._open(conversation, decision.handoff, TicketKind.HANDOFF)
                conversation.escalate(ticket.id)
                return ticket
            case Draft():
                conversation.language = decision.language
                kind = TicketKind.DRAFT if decision.mode is Mode.PRE_APPROVAL else TicketKind.HANDOFF
                ticket = await self._open(conversation, decision.handoff, kind)
                conversation.escalate(ticket.id)
                if decision.notice is not None:
                    conversation.add_turn(Turn(Role.BOT, decision.notice.text, now, "", "draft", decision.reason))
                return ticket
            case Ignore():
                return None
            case _:
                assert_never(decision)

    async def _open(self, conversation: Conversation, handoff: Handoff, kind: TicketKind) -> Ticket:
        return await self.store.open_ticket(
            Ticket(id="", conversation_key=conversation.key, address=conversation.address, handoff=handoff, kind=kind)
        )

    async def _deliver(self, address: Address, decision: Decision, ticket: Ticket | None) -> bool:
        """Send what the decision says; False if any part failed (the decision stays undelivered)."""
        outbox = self.outboxes.get(address.platform)
        agents = self.desks.get(address.platform)
        try:
            match decision:
                case Respond():
                    if outbox:
                        await outbox.send(address, decision.reply)
                case Escalate():
                    if outbox and decision.reply.text:
                        await outbox.send(address, decision.reply)
                    if agents and ticket:
                        await self._post_card(agents, ticket)
                case Draft():
                    if agents and ticket:
                        await self._post_card(agents, ticket)
                    if outbox and decision.notice is not None:
                        await outbox.send(address, decision.notice)
                case Ignore():
                    pass
                case _:
                    assert_never(decision)
        except Exception:  # noqa: BLE001 - logged and retried by redeliver_pending; never crash the event loop
            log.exception("delivery failed for %s", address)
            return False
        return True

    async def _post_card(self, agents: AgentDesk, ticket: Ticket) -> None:
        ref = await agents.post(ticket)
        if ref:
            await self.store.update_ticket(replace(ticket, card_ref=ref))
