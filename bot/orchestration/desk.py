"""The agents' side of a handoff: claim, reply, resolve, hand back, and approve / edit / reject AI drafts.

Every adapter (Slack buttons, the playground's agent pane, Teams cards) calls these same methods, so a claim or an
approval behaves identically everywhere. Each action updates the ticket, the conversation, tells the customer what
happened, refreshes the agents' card, and records feedback (rewrites, overrides, CSAT) for the metrics.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.core.conversation import Conversation, Turn
from bot.core.errors import Conflict, NotFound, handoff_not_found
from bot.core.ports import AgentDesk, FeedbackEntry, Outbox, Phrasebook, Store
from bot.core.types import (
    Action,
    Actor,
    HandoffStatus,
    Platform,
    Reply,
    Role,
    Ticket,
    TicketKind,
)
from bot.orchestration.engine import customer_actions
from bot.orchestration.handoff import with_reason


class Locks:
    """Per-conversation asyncio locks shared by the dispatcher and the desk (one process; the DB guards replicas).

    A lock lives only while someone holds or waits for it, so a long-running server does not keep one per
    conversation it ever saw.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _customer_was_told(conversation: Conversation) -> bool:
    """True when Frontdesk's last words to the customer were a handoff or draft notice (a person will reply)."""
    last = next((t for t in reversed(conversation.turns) if t.role is not Role.CUSTOMER), None)
    return last is not None and last.role is Role.BOT and last.decision in ("escalate", "draft")


def csat_actions() -> tuple[Action, ...]:
    """1-5 rating buttons shown to the customer when a person resolves the thread."""
    return tuple(Action("csat", str(score), str(score)) for score in range(1, 6))


def rewrite_actions() -> tuple[Action, ...]:
    return (Action("rewrite", "Yes, I rewrote it", "yes"), Action("rewrite", "No, it was fine", "no"))


@dataclass(slots=True)
class Desk:
    store: Store
    outboxes: Mapping[Platform, Outbox]
    desks: Mapping[Platform, AgentDesk]
    phrases: Phrasebook
    locks: Locks
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    AGENT_ACTIONS = frozenset({"claim", "reply", "resolve", "hand_back", "approve", "edit", "reject", "rewrite"})

    async def act(self, kind: str, ticket_id: str, agent: Actor, *, text: str = "", rewrote: bool = False) -> None:
        """One agent button or command, by name: every adapter maps its payload here, so they cannot drift."""
        match kind:
            case "claim":
                await self.claim(ticket_id, agent)
            case "reply":
                await self.reply(ticket_id, agent, text)
            case "resolve":
                await self.resolve(ticket_id, agent)
            case "hand_back":
                await self.hand_back(ticket_id, agent)
            case "approve":
                await self.approve(ticket_id, agent)
            case "edit":
                await self.edit(ticket_id, agent, text)
            case "reject":
                await self.reject(ticket_id, agent)
            case "rewrite":
                await self.rewrite_answer(ticket_id, agent, rewrote)
            case _:
                raise ValueError(f"unknown agent action {kind!r}; use one of {', '.join(sorted(self.AGENT_ACTIONS))}")

    # -- handoffs -----------------------------------------------------------------------------------------------

    async def claim(self, ticket_id: str, agent: Actor) -> Ticket:
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.CLAIMED and ticket.agent == agent.id:
            return ticket
        if ticket.status is not HandoffStatus.OPEN:
            who = f" by {ticket.agent}" if ticket.agent else ""
            raise Conflict(f"this handoff is already {ticket.status.value}{who}")
        ticket = replace(ticket, status=HandoffStatus.CLAIMED, agent=agent.id, claimed_at=self.clock())
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            conversation.claim(agent.id)
            await self.store.save_conversation(conversation)
            await self.store.update_ticket(ticket)
        language = conversation.language or "en"
        await self._tell_customer(ticket, Reply(self.phrases.say("claimed", language, agent=agent.name or agent.id)))
        await self._refresh_card(ticket)
        return ticket

    async def reply(self, ticket_id: str, agent: Actor, text: str) -> None:
        """An agent's own words to the customer (from the playground's agent pane); never rewritten by persona."""
        if not text.strip():
            raise ValueError("the reply is empty")
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.OPEN:
            ticket = await self.claim(ticket_id, agent)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            conversation.add_turn(Turn(Role.AGENT, text, self.clock(), agent.id))
            await self.store.save_conversation(conversation)
        await self._tell_customer(ticket, Reply(text))

    async def resolve(self, ticket_id: str, agent: Actor) -> Ticket:
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.RESOLVED:
            return ticket
        ticket = replace(
            ticket,
            status=HandoffStatus.RESOLVED,
            agent=ticket.agent or agent.id,
            claimed_at=ticket.claimed_at or self.clock(),
            resolved_at=self.clock(),
        )
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            took_over_from_ai = conversation.ai_answers > 0 or ticket.handoff.suggestion is not None
            conversation.resolve()
            await self.store.save_conversation(conversation)
            await self.store.update_ticket(ticket)
        language = conversation.language or "en"
        await self._tell_customer(
            ticket, Reply(self.phrases.say("resolved_csat", language), actions=csat_actions())
        )
        await self._refresh_card(ticket)
        if took_over_from_ai:
            await self._ask_agent(ticket, Reply("Did you need to rewrite the AI's answer?", actions=rewrite_actions()))
        return ticket

    async def hand_back(self, ticket_id: str, agent: Actor) -> Ticket:
        """The agent returns the thread to the AI (e.g. after a quick clarification)."""
        ticket = await self._ticket(ticket_id)
        ticket = replace(ticket, status=HandoffStatus.RESOLVED, resolved_at=self.clock(), agent=ticket.agent or agent.id)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            conversation.hand_back()
            await self.store.save_conversation(conversation)
            await self.store.update_ticket(ticket)
        await self._refresh_card(ticket)
        return ticket

    # -- drafts (pre-approval, agent-first, parallel) -----------------------------------------------------------

    async def approve(self, ticket_id: str, agent: Actor) -> Ticket:
        ticket = await self._ticket(ticket_id)
        suggestion = self._suggestion(ticket)
        return await self._send_draft(ticket, agent, suggestion.text, edited=False)

    async def edit(self, ticket_id: str, agent: Actor, text: str) -> Ticket:
        if not text.strip():
            raise ValueError("the edited answer is empty")
        ticket = await self._ticket(ticket_id)
        self._suggestion(ticket)
        return await self._send_draft(ticket, agent, text, edited=True)

    async def reject(self, ticket_id: str, agent: Actor) -> Ticket:
        """The draft is dropped and the ticket becomes an ordinary handoff: a person writes the answer.

        The draft is removed rather than kept, so no button (here or on a stale Slack card) can still send it. The
        customer is told a person will reply only if nothing said so yet: a pre-approval draft already came with
        "a teammate will confirm the answer", and agent-first with the handoff notice.
        """
        ticket = await self._ticket(ticket_id)
        self._suggestion(ticket)
        if ticket.status is not HandoffStatus.OPEN:
            raise Conflict(f"this draft is already {ticket.status.value}")
        handoff = replace(with_reason(ticket.handoff, "rejected_draft"), suggestion=None)
        ticket = replace(ticket, kind=TicketKind.HANDOFF, handoff=handoff)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            await self.store.update_ticket(ticket)
        await self.store.add_feedback(
            FeedbackEntry("rewrite", ticket.conversation_key, agent.id, self.clock(), rewrote=True, reason="rejected")
        )
        if not _customer_was_told(conversation):
            await self._tell_customer(ticket, Reply(self.phrases.say("handoff", conversation.language or "en")))
        await self._refresh_card(ticket)
        return ticket

    # -- customer feedback --------------------------------------------------------------------------------------

    async def csat(self, conversation_key: str, actor: Actor, score: int) -> None:
        if not 1 <= score <= 5:
            raise ValueError("CSAT must be a whole number from 1 to 5")
        await self.store.add_feedback(FeedbackEntry("csat", conversation_key, actor.id, self.clock(), score=score))

    async def rewrite_answer(self, ticket_id: str, agent: Actor, rewrote: bool) -> None:
        ticket = await self._ticket(ticket_id)
        await self.store.add_feedback(
            FeedbackEntry("rewrite", ticket.conversation_key, agent.id, self.clock(), rewrote=rewrote)
        )

    async def escalation_reason(self, conversation_key: str, actor: Actor, reason: str) -> None:
        """The customer's own reason from the handoff dropdown (optional for them)."""
        await self.store.add_feedback(
            FeedbackEntry("escalation_reason", conversation_key, actor.id, self.clock(), reason=reason[:200])
        )

    # -- internals ----------------------------------------------------------------------------------------------

    async def _send_draft(self, ticket: Ticket, agent: Actor, text: str, *, edited: bool) -> Ticket:
        if ticket.status is HandoffStatus.RESOLVED:
            raise Conflict("this draft was already handled")
        suggestion = self._suggestion(ticket)
        now = self.clock()
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            language = conversation.language or "en"
            reply = Reply(
                text,
                suggestion.citations,
                customer_actions(self.phrases, language),
                self.phrases.say("label_sources", language),
            )
            conversation.add_turn(Turn(Role.BOT if not edited else Role.AGENT, text, now, agent.id, "answer"))
            if ticket.kind is TicketKind.DRAFT:
                # Pre-approval: the AI keeps the conversation after an agent signs off its answer.
                conversation.accept_draft()
                ticket = replace(ticket, status=HandoffStatus.RESOLVED, agent=agent.id, resolved_at=now)
            else:
                conversation.claim(agent.id)
                ticket = replace(ticket, status=HandoffStatus.CLAIMED, agent=agent.id, claimed_at=now)
            await self.store.save_conversation(conversation)
            await self.store.update_ticket(ticket)
        diff = ""
        if edited:
            diff = "\n".join(
                difflib.unified_diff(suggestion.text.splitlines(), text.splitlines(), "ai", "agent", lineterm="")
            )
        await self.store.add_feedback(
            FeedbackEntry(
                "rewrite",
                ticket.conversation_key,
                agent.id,
                now,
                rewrote=edited,
                edited_text=text if edited else "",
                reason=diff,
            )
        )
        await self._tell_customer(ticket, reply)
        await self._refresh_card(ticket)
        return ticket

    @staticmethod
    def _suggestion(ticket: Ticket) -> Reply:
        if ticket.handoff.suggestion is None:
            if ticket.handoff.reason == "rejected_draft":
                raise Conflict("the AI draft for this handoff was rejected; reply to the customer yourself")
            raise Conflict("this handoff has no AI draft to act on")
        return ticket.handoff.suggestion

    async def _ticket(self, ticket_id: str) -> Ticket:
        ticket = await self.store.get_ticket(ticket_id)
        if ticket is None:
            raise handoff_not_found(ticket_id)
        return ticket

    async def _conversation(self, ticket: Ticket) -> Conversation:
        conversation = await self.store.load_conversation(ticket.conversation_key)
        if conversation is None:
            raise NotFound(f"the conversation of handoff {ticket.id!r} no longer exists")
        return conversation

    async def _tell_customer(self, ticket: Ticket, reply: Reply) -> None:
        outbox = self.outboxes.get(ticket.address.platform)
        if outbox is not None:
            await outbox.send(ticket.address, reply)

    async def _refresh_card(self, ticket: Ticket) -> None:
        agents = self.desks.get(ticket.address.platform)
        if agents is not None:
            await agents.update(ticket)

    async def _ask_agent(self, ticket: Ticket, prompt: Reply) -> None:
        agents = self.desks.get(ticket.address.platform)
        if agents is not None:
            await agents.ask(ticket, prompt)
