"""The agents' side of a handoff: claim, reply, resolve, hand back, and approve / edit / reject AI drafts.

Every adapter (Slack buttons, the playground's agent pane, Teams cards) calls these same methods, so a claim or an
approval behaves identically everywhere. Each action updates the ticket, the conversation, tells the customer what
happened, refreshes the agents' card, and records feedback (rewrites, overrides, CSAT) for the metrics. What it
sends goes through the outbox in the same transaction as the change (`bot.orchestration.desk_sends`), so a
platform failure is retried and never loses an agent's reply to the customer.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.core.conversation import Conversation, Turn
from bot.core.errors import Conflict, NotFound, handoff_not_found
from bot.core.outbox import ActionWrite
from bot.core.ports import AgentDesk, FeedbackEntry, Outbox, Phrasebook, Store, Writer
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
from bot.orchestration.collab import AGENT_FIRST, Choice, choose, propose, with_event, writes_first
from bot.orchestration.delivery import Delivery
from bot.orchestration.desk_sends import Sends
from bot.orchestration.engine import customer_actions
from bot.orchestration.handoff import clip, grounded, with_reason
from bot.orchestration.locks import Locks
from bot.orchestration.staff import StaffRoster, usable_name

log = logging.getLogger(__name__)
_UPDATES = 5  # customer messages since the handoff kept on the card


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
    writer: Writer | None = None  # the configured LLM: offers agents a clearer wording of their reply (agent-first)
    staff: StaffRoster | None = None  # learns agents' display names as they act, for the guardrails
    delivery: Delivery | None = None  # the outbox's first attempt (bootstrap shares the dispatcher's)

    AGENT_ACTIONS = frozenset(
        {"claim", "reply", "resolve", "hand_back", "approve", "edit", "reject", "rewrite", "write", "pick"}
    )

    async def act(
        self, kind: str, ticket_id: str, agent: Actor, *, text: str = "", rewrote: bool = False, choice: str = ""
    ) -> None:
        """One agent button or command, by name: every adapter maps its payload here, so they cannot drift."""
        await self.saw(agent, ticket_id)
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
            case "write":
                await self.write(ticket_id, agent, text)
            case "pick":
                await self.pick(ticket_id, agent, choice, text)
            case _:
                raise ValueError(f"unknown agent action {kind!r}; use one of {', '.join(sorted(self.AGENT_ACTIONS))}")

    async def saw(self, agent: Actor, ticket_id: str = "", platform: str = "") -> None:
        """Learn the acting agent's display name (platform-neutrally, from the ticket's platform)."""
        if self.staff is None or not usable_name(agent.name) or usable_name(agent.name) in self.staff.names():
            return
        if not platform and ticket_id:
            ticket = await self.store.get_ticket(ticket_id)
            platform = ticket.address.platform.value if ticket else ""
        if platform:
            await self.staff.see(platform, agent.id, agent.name)

    # -- handoffs -----------------------------------------------------------------------------------------------

    async def claim(self, ticket_id: str, agent: Actor) -> Ticket:
        key = (await self._ticket(ticket_id)).conversation_key
        async with self.locks.hold(key):
            ticket = await self._ticket(ticket_id)  # read again under the lock: two agents may press Claim at once
            if ticket.status is HandoffStatus.CLAIMED and ticket.agent == agent.id:
                return ticket
            if ticket.status is not HandoffStatus.OPEN:
                who = f" by {ticket.agent}" if ticket.agent else ""
                raise Conflict(f"this handoff is already {ticket.status.value}{who}")
            ticket = replace(ticket, status=HandoffStatus.CLAIMED, agent=agent.id, claimed_at=self.clock())
            conversation = await self._conversation(ticket)
            conversation.claim(agent.id)
            sends = self._sends()
            sends.tell(ticket, Reply(self.phrases.say("claimed", conversation.language or "en", agent=agent.name or agent.id)))
            sends.refresh(ticket)
            await self._commit(ticket.conversation_key, sends, conversation, ticket)
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
            sends = self._sends()
            sends.tell(ticket, Reply(text))
            await self._commit(ticket.conversation_key, sends, conversation)

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
            sends = self._sends()
            sends.tell(ticket, Reply(self.phrases.say("resolved_csat", conversation.language or "en"), actions=csat_actions()))
            sends.refresh(ticket)
            if took_over_from_ai:
                sends.note(ticket, Reply("Did you need to rewrite the AI's answer?", actions=rewrite_actions()))
            await self._commit(ticket.conversation_key, sends, conversation, ticket)
        return ticket

    async def hand_back(self, ticket_id: str, agent: Actor) -> Ticket:
        """The agent returns the thread to the AI (e.g. after a quick clarification): the customer is told the AI
        answers again, and the card says "handed back", not "resolved" (a handed-back ticket is no human resolution).
        """
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.RESOLVED:
            raise Conflict("this handoff is already closed")
        now = self.clock()
        handoff = replace(with_event(ticket.handoff, "handed_back", agent, now), proposal=None)
        ticket = replace(ticket, status=HandoffStatus.RESOLVED, resolved_at=now, agent=ticket.agent or agent.id, handoff=handoff)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            conversation.hand_back()
            language = conversation.language or "en"
            notice = self.phrases.say("handed_back", language, agent=agent.name or agent.id)
            sends = self._sends()
            sends.tell(ticket, Reply(notice, actions=customer_actions(self.phrases, language, feedback=False)))
            sends.refresh(ticket)
            await self._commit(ticket.conversation_key, sends, conversation, ticket)
        return ticket

    async def customer_wrote(self, ticket_id: str, text: str) -> None:
        """A customer message in a thread a person owns (or is about to): it goes onto the card, and the agent who
        claimed the thread is told, so nothing the customer adds is missed while the AI stays quiet."""
        ticket = await self.store.get_ticket(ticket_id)
        if ticket is None or ticket.status is HandoffStatus.RESOLVED or not text.strip():
            return
        updates = (*ticket.handoff.updates, " ".join(text.split()))[-_UPDATES:]
        ticket = replace(ticket, handoff=replace(ticket.handoff, updates=updates))
        sends = self._sends()
        sends.refresh(ticket)
        if ticket.status is HandoffStatus.CLAIMED:
            sends.note(ticket, Reply(f"New message from the customer: “{clip(text, 500)}”"))
        await self._commit(ticket.conversation_key, sends, ticket=ticket)

    # -- drafts (pre-approval) and the agent's pick (agent-first, parallel) -------------------------------------

    async def approve(self, ticket_id: str, agent: Actor) -> Ticket:
        ticket = await self._ticket(ticket_id)
        self._suggestion(ticket)
        return await self._send(ticket, agent, choose(ticket, "ai"))

    async def edit(self, ticket_id: str, agent: Actor, text: str) -> Ticket:
        if not text.strip():
            raise ValueError("the edited answer is empty")
        ticket = await self._ticket(ticket_id)
        self._suggestion(ticket)
        await self.saw(agent, platform=ticket.address.platform.value)
        return await self._send(ticket, agent, Choice(text, "edited", False))

    async def write(self, ticket_id: str, agent: Actor, text: str) -> Ticket:
        """The agent's own reply in agent-first or parallel. Parallel: it waits beside the AI's draft for the agent's
        pick. Agent-first: with an LLM the AI offers a clearer wording to accept, edit or decline; without one (or
        when it has nothing better) the reply is sent. Elsewhere it is an ordinary reply."""
        if not text.strip():
            raise ValueError("the reply is empty")
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.RESOLVED:
            raise Conflict("this handoff is already closed")
        if not writes_first(ticket):
            await self.reply(ticket_id, agent, text)
            return ticket
        alternative = await self._improve(ticket, text) if ticket.handoff.reason == AGENT_FIRST else ""
        if ticket.handoff.reason == AGENT_FIRST and not alternative:
            return await self._send(ticket, agent, Choice(text, "wrote", False))
        if ticket.status is HandoffStatus.OPEN:
            ticket = await self.claim(ticket_id, agent)
        ticket = propose(ticket, agent, text, alternative)
        sends = self._sends()
        sends.refresh(ticket)
        await self._commit(ticket.conversation_key, sends, ticket=ticket)
        return ticket

    async def pick(self, ticket_id: str, agent: Actor, choice: str, text: str = "") -> Ticket:
        """The agent's pick: "ai" (the AI's draft), "mine" (their reply), "improved" (the AI's wording of it) or
        "edited" (that wording, edited: `text`)."""
        ticket = await self._ticket(ticket_id)
        if ticket.status is HandoffStatus.RESOLVED:
            raise Conflict("this handoff is already closed")
        return await self._send(ticket, agent, choose(ticket, choice, text))

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
        now = self.clock()
        handoff = replace(with_event(with_reason(ticket.handoff, "rejected_draft"), "rejected", agent, now), suggestion=None)
        ticket = replace(ticket, kind=TicketKind.HANDOFF, handoff=handoff)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            sends = self._sends()
            if not _customer_was_told(conversation):
                sends.tell(ticket, Reply(self.phrases.say("handoff", conversation.language or "en")))
            sends.refresh(ticket)
            await self._commit(ticket.conversation_key, sends, ticket=ticket)
        await self._record_choice(ticket, agent, now, "rejected", rewrote=True, reason="rejected")
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

    async def _send(self, ticket: Ticket, agent: Actor, choice: Choice) -> Ticket:
        """Send the chosen text to the customer, record who chose what and when, and update the card."""
        if ticket.status is HandoffStatus.RESOLVED:
            raise Conflict("this draft was already handled")
        now = self.clock()
        suggestion = ticket.handoff.suggestion
        ai_draft = suggestion is not None and choice.event in ("approved", "edited", "picked_ai")
        handoff = replace(with_event(ticket.handoff, choice.event, agent, now), proposal=None)
        async with self.locks.hold(ticket.conversation_key):
            conversation = await self._conversation(ticket)
            language = conversation.language or "en"
            citations = suggestion.citations if suggestion is not None and ai_draft else ()
            sources = self.phrases.say("label_sources", language)
            reply = Reply(choice.text, citations, customer_actions(self.phrases, language), sources)
            conversation.add_turn(Turn(Role.BOT if choice.by_ai else Role.AGENT, choice.text, now, agent.id, "answer"))
            if ticket.kind is TicketKind.DRAFT:
                # Pre-approval: the AI keeps the conversation after an agent signs off its answer.
                conversation.accept_draft()
                ticket = replace(ticket, status=HandoffStatus.RESOLVED, agent=agent.id, resolved_at=now, handoff=handoff)
            else:
                conversation.claim(agent.id)
                claimed = ticket.claimed_at or now
                ticket = replace(ticket, status=HandoffStatus.CLAIMED, agent=agent.id, claimed_at=claimed, handoff=handoff)
            sends = self._sends()
            sends.tell(ticket, reply)
            sends.refresh(ticket)
            await self._commit(ticket.conversation_key, sends, conversation, ticket)
        diff = ""
        if choice.event == "edited" and suggestion is not None:
            diff = "\n".join(
                difflib.unified_diff(suggestion.text.splitlines(), choice.text.splitlines(), "ai", "agent", lineterm="")
            )
        edited = "" if choice.by_ai else choice.text
        await self._record_choice(ticket, agent, now, choice.event, rewrote=not choice.by_ai, reason=diff, text=edited)
        return ticket

    async def _record_choice(
        self, ticket: Ticket, agent: Actor, at: datetime, event: str, *, rewrote: bool, reason: str, text: str = ""
    ) -> None:
        """Two records: "rewrite" (did the agent override the AI? the override metric) and "collab" (which of the
        collaboration model's choices was made: `frontdesk report` counts them)."""
        key = ticket.conversation_key
        await self.store.add_feedback(
            FeedbackEntry("rewrite", key, agent.id, at, rewrote=rewrote, edited_text=text, reason=reason)
        )
        await self.store.add_feedback(FeedbackEntry("collab", key, agent.id, at, reason=event))

    async def _improve(self, ticket: Ticket, text: str) -> str:
        """The AI's clearer wording of the agent's reply, or "" (no LLM, a failure, or a wording that adds numbers
        found in neither the reply nor the references)."""
        if self.writer is None:
            return ""
        references = [f"{c.title}: {c.snippet}" for c in ticket.handoff.cited]
        try:
            better = (await self.writer.improve(text, ticket.handoff.title, references)).strip()
        except Exception:  # noqa: BLE001 - the agent's own words are sent as written; a provider outage loses nothing
            log.warning("the LLM could not improve an agent's reply", exc_info=True)
            return ""
        return better if grounded(better, [("Agent", text)], " ".join(references)) else ""

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

    def _sends(self) -> Sends:
        return Sends(self.outboxes, self.desks)

    async def _commit(
        self, key: str, sends: Sends, conversation: Conversation | None = None, ticket: Ticket | None = None
    ) -> None:
        """Write the action's change and what it sends in one transaction, then make the first delivery attempt
        (a failure is retried by the outbox worker; it is not the agent's error)."""
        items = await self.store.record_action(ActionWrite(key, conversation, ticket, tuple(sends.items)))
        if self.delivery is None:
            self.delivery = Delivery(self.store, self.outboxes, self.desks, self.clock)
        await self.delivery.deliver(items)
