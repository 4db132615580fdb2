"""The seams of Frontdesk, as `typing.Protocol`s.

The engine and dispatcher depend only on these; `bootstrap()` plugs in real parts (SQL store, FAISS retrieval,
Slack/Teams/web outboxes) or fakes. Policies implement `InputPolicy` / `OutputPolicy` and exchange the frozen
`TurnContext` and `Proceed | Stop` outcomes defined here, so they stay pure and testable in isolation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from bot.core.conversation import Conversation, ConversationStatus
from bot.core.demotion import Demotion
from bot.core.outbox import ActionWrite, OutboxItem, OutboxStats, Recorded, TurnWrite
from bot.core.types import (
    Actor,
    Address,
    Answer,
    ArticleHit,
    ChannelPolicy,
    Decision,
    HandoffStatus,
    Inbound,
    Priority,
    Question,
    Reply,
    Role,
    Ticket,
)

# --- knowledge -------------------------------------------------------------------------------------------------


@runtime_checkable
class Answerer(Protocol):
    """The retrieval chain: ranked articles, a grounded answer and a calibrated confidence."""

    async def answer(self, question: Question) -> Answer: ...


# --- policies --------------------------------------------------------------------------------------------------


def _speaker(role: Role, decision: str) -> str:
    if role is Role.CUSTOMER:
        return "Customer"
    if role is Role.BOT:
        return "AI" if decision == "answer" else "Frontdesk"
    return "Agent"


@dataclass(frozen=True, slots=True)
class History:
    """A read-only view of the conversation so far, for policies."""

    status: ConversationStatus = ConversationStatus.OPEN
    language: str | None = None
    failed_attempts: int = 0
    ai_answers: int = 0
    customer_texts: tuple[str, ...] = ()  # earlier customer messages, oldest first, without the current one
    last_articles: tuple[ArticleHit, ...] = ()
    human_replied: bool = False  # the latest reply in the thread came from a person, not the AI
    # (speaker, text) of the thread so far, oldest first, without the current message; speaker is "Customer",
    # "AI" (an answer), "Frontdesk" (a notice) or "Agent". Handoff summaries tell the agent what the AI said.
    transcript: tuple[tuple[str, str], ...] = ()

    @property
    def ai_replies(self) -> tuple[str, ...]:
        return tuple(text for speaker, text in self.transcript if speaker == "AI")

    @staticmethod
    def of(conversation: Conversation, *, exclude_last: bool = True) -> History:
        texts = conversation.customer_texts()
        turns = conversation.turns
        if exclude_last and texts:
            texts = texts[:-1]
            last = max(i for i, t in enumerate(turns) if t.role is Role.CUSTOMER)
            turns = turns[:last] + turns[last + 1 :]
        replies = (t.role for t in reversed(conversation.turns) if t.role is not Role.CUSTOMER)
        return History(
            status=conversation.status,
            language=conversation.language,
            failed_attempts=conversation.failed_attempts,
            ai_answers=conversation.ai_answers,
            customer_texts=tuple(texts),
            last_articles=conversation.last_articles,
            human_replied=next(replies, None) is Role.AGENT,
            transcript=tuple((_speaker(t.role, t.decision), t.text) for t in turns),
        )


@dataclass(frozen=True, slots=True)
class TurnContext:
    """Everything a policy may look at for one customer turn. Policies return a new one to add what they found."""

    inbound: Inbound
    history: History
    channel: ChannelPolicy
    now: datetime
    vip: bool = False
    language: str = "en"
    sentiment: float | None = None  # -1 (very negative) .. 1
    complexity: float | None = None  # 0 (simple) .. 1 (complex)
    notes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    demoted: Mapping[str, Demotion] = field(default_factory=lambda: MappingProxyType({}))  # article id -> why
    no_ai: bool = False  # the customer asked for no AI answers (bot.orchestration.no_ai): people answer them


class StopAction(StrEnum):
    ESCALATE = "escalate"  # hand off to humans with `reason`
    IGNORE = "ignore"  # say nothing
    REPLY = "reply"  # answer with `text` without consulting the KB (e.g. "tell me more" after a first failure)


@dataclass(frozen=True, slots=True)
class Proceed:
    """Carry on. A policy may hand back an enriched context (language, sentiment) or a reshaped answer (persona)."""

    context: TurnContext | None = None
    answer: Answer | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Stop:
    action: StopAction
    reason: str
    detail: str = ""
    team: str = ""
    priority: Priority = Priority.NORMAL
    text: str = ""
    flag_admins: bool = False  # threats and abuse are reported, not only escalated
    language: str = ""  # the language of the stop, when the policy knows it better than detection (a greeting)
    failed_attempt: bool = False  # this turn is itself a failed AI attempt (a bare "still broken"): count it
    quiet: bool = False  # escalate without a word to the customer (they asked for no AI answers)


Outcome = Proceed | Stop


class InputPolicy(Protocol):
    """Runs before retrieval: may stop the turn before the AI ever answers."""

    name: str

    def check(self, ctx: TurnContext) -> Outcome: ...


class OutputPolicy(Protocol):
    """Runs on the proposed answer: may block it (escalate) or reshape it (persona)."""

    name: str

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome: ...


class Phrasebook(Protocol):
    """Customer-facing stock sentences per language (handoff notices, clarifying prompts, button labels)."""

    def say(self, key: str, language: str, **values: str) -> str: ...


class Writer(Protocol):
    """The configured LLM writing for agents (never for customers directly): handoff summaries grounded in the
    transcript, and better wording of an agent's own reply (agent-first). Returns "" when it has nothing usable,
    and the caller keeps the extractive text."""

    async def summarize(self, transcript: Sequence[tuple[str, str]], facts: str) -> str:
        """`transcript` is (speaker, text) pairs, oldest first ("Customer", "AI", "Frontdesk", "Agent"); `facts`
        says why the AI handed off and which articles it cited."""
        ...

    async def improve(self, draft: str, question: str, references: Sequence[str]) -> str:
        """The agent's `draft` reworded clearly, facts unchanged, checked against the `references` passages."""
        ...


# --- delivery --------------------------------------------------------------------------------------------------


class Outbox(Protocol):
    """Sends a neutral `Reply` to an address; returns the platform's message reference."""

    async def send(self, address: Address, reply: Reply) -> str: ...


class AgentDesk(Protocol):
    """The agents' side of a platform: posts and updates handoff / draft cards in the team's agents channel."""

    async def post(self, ticket: Ticket) -> str: ...

    async def update(self, ticket: Ticket) -> None: ...

    async def ask(self, ticket: Ticket, prompt: Reply) -> None:
        """Ask the agent who handled `ticket` a question with buttons (e.g. "did you need to rewrite?")."""
        ...


# --- store -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    kind: str  # helpful | csat | rewrite | escalation_reason
    conversation_key: str
    actor_id: str
    at: datetime
    helpful: bool | None = None
    score: int | None = None
    rewrote: bool | None = None
    edited_text: str = ""
    reason: str = ""
    decision_id: int | None = None
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    id: int
    conversation_key: str
    message_id: str
    kind: str
    reason: str
    confidence: float | None
    language: str
    article_ids: tuple[str, ...]
    at: datetime
    text: str = ""  # the customer's message
    reply: str = ""
    delivered: bool = False
    team: str = ""  # the team the turn was routed to (handoff team, answering article's team, channel's team)
    channel: str = ""  # the address's channel, for metrics per channel
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0  # as reported by the LLM path; metrics price tokens from config when prices are set


@dataclass(frozen=True, slots=True)
class Contact:
    """A channel where a customer has written: where proactive messages can go (MISSION §6, house rule 7)."""

    address: Address  # channel-level (no thread), with the adapter's opaque data from the latest conversation
    org: str  # the customer's organisation ("" when unknown)
    language: str | None
    last_seen: datetime


@runtime_checkable
class Store(Protocol):
    """Persistence the core needs. One implementation on SQLAlchemy (SQLite / PostgreSQL), one in memory."""

    async def first_delivery(self, platform: str, message_id: str) -> bool:
        """Record that a platform message was seen; False if it was seen before (a retry)."""
        ...

    async def accept(self, inbound: Inbound) -> bool:
        """Record an accepted event with its payload in the inbox; False if this platform message was seen before.

        A recorded event stays pending until `record_turn` commits its decision, so a crash in between leaves work
        that `pending_inbound` hands out again, never a de-duplication key without a decision.
        """
        ...

    async def pending_inbound(self, older_than: datetime, limit: int = 100) -> Sequence[Inbound]:
        """Inbox events received before `older_than` whose decision was never committed (oldest first)."""
        ...

    async def inbound_failed(self, inbound: Inbound) -> int:
        """Count a failed attempt at deciding `inbound`; returns the attempts so far."""
        ...

    async def record_turn(self, turn: TurnWrite) -> Recorded | None:
        """In one transaction: close the inbox entry, save the conversation, open the ticket, record the decision
        and queue its outbox items. None (and nothing written) when another worker already decided this event."""
        ...

    async def earlier_pending(self, inbound: Inbound) -> Sequence[Inbound]:
        """Events of `inbound`'s conversation accepted before it and not yet decided (oldest first): a replica
        holding the conversation's lock decides them first, so replies keep the customer's order."""
        ...

    async def record_action(self, action: ActionWrite) -> tuple[OutboxItem, ...]:
        """In one transaction: save an agent action's conversation and ticket and queue what it sends (returned
        with their ids, claimed by the writer for an immediate first attempt)."""
        ...

    async def claim_outbox(self, now: datetime, lease: float, limit: int = 20) -> Sequence[OutboxItem]:
        """Due outbox items, each claimed for `lease` seconds (SKIP LOCKED on PostgreSQL) with its attempt counted."""
        ...

    async def outbox_sent(self, item_id: int, ref: str) -> None: ...

    async def outbox_retry(self, item_id: int, at: datetime, error: str) -> None: ...

    async def outbox_failed(self, item_id: int, error: str) -> None: ...

    async def outbox_stats(self) -> OutboxStats: ...

    async def set_card_ref(self, ticket_id: str, card_ref: str) -> None:
        """Only the card reference: the rest of the ticket may have moved on (claimed) since the card was queued."""
        ...

    async def load_conversation(self, key: str) -> Conversation | None: ...

    async def save_conversation(self, conversation: Conversation) -> None: ...

    async def channel_policy(self, address: Address, now: datetime) -> ChannelPolicy:
        """The channel's effective policy; a channel seen for the first time is registered with today's date."""
        ...

    async def set_channel(self, address: Address, **changes: object) -> None:
        """Admin changes: mode, threshold, team, paused (recorded with who/when by `record_admin_change`)."""
        ...

    async def is_vip(self, actor: Actor) -> bool: ...

    async def set_vip(self, subject: str, vip: bool) -> None:
        """`subject` is a customer id or an org id."""
        ...

    async def record_decision(
        self, conversation_key: str, inbound: Inbound, decision: Decision, *, team: str = ""
    ) -> int:
        """Record what was decided (and for which team, for metrics); returns the decision id."""
        ...

    async def mark_delivered(self, decision_id: int) -> None: ...

    async def undelivered(self, older_than: datetime) -> Sequence[DecisionRecord]: ...

    async def decisions(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[DecisionRecord]:
        """Decisions at or after `since` and before `until` (either open), oldest first."""
        ...

    async def open_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket; returns it with its id and created_at."""
        ...

    async def get_ticket(self, ticket_id: str) -> Ticket | None: ...

    async def update_ticket(self, ticket: Ticket) -> None: ...

    async def tickets(self, status: HandoffStatus | None = None) -> Sequence[Ticket]: ...

    async def add_feedback(self, entry: FeedbackEntry) -> None: ...

    async def feedback(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[FeedbackEntry]:
        """Feedback at or after `since` and before `until` (either open)."""
        ...

    async def record_admin_change(self, actor_id: str, what: str, at: datetime) -> None: ...

    async def contacts(self) -> Sequence[Contact]:
        """Each channel customers have written in (platform, workspace, channel), from its latest conversation."""
        ...

    async def get_setting(self, key: str, *, max_age: float = 0.0) -> str | None:
        """A setting's value. `max_age` > 0: a value read by this process at most that many seconds ago may be
        returned (a read on every message must not cost a query); this process's own `put_setting` is seen at once,
        another replica's after at most `max_age`."""
        ...

    async def put_setting(self, key: str, value: str) -> None: ...
