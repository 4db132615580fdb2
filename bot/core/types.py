"""Frozen value types that cross every boundary in Frontdesk.

Adapters translate platform payloads into these; the engine reasons only about these; adapters render them
back. Keeping them stdlib-only (layer 0) is what lets Slack, Teams and the web playground share one engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, assert_never

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    WEB = "web"


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ADMIN = "admin"
    BOT = "bot"


class Audience(StrEnum):
    """Who may see an article: internal articles are never retrieved for customers."""

    CUSTOMER = "customer"
    INTERNAL = "internal"


class Mode(StrEnum):
    """Human-AI collaboration model of a channel (MISSION §10)."""

    AI_FIRST = "ai-first"
    PRE_APPROVAL = "pre-approval"
    AGENT_FIRST = "agent-first"
    PARALLEL = "parallel"
    HYBRID = "hybrid"
    OFF = "off"


class InboundKind(StrEnum):
    """What the customer did: wrote a message, pressed "Talk to a human", "Not helpful" or "No AI answers"."""

    MESSAGE = "message"
    HUMAN_REQUEST = "human_request"
    NOT_HELPFUL = "not_helpful"
    NO_AI = "no_ai"  # pressed "No AI answers for me": from now on people answer this customer


class EscalationReason(StrEnum):
    """Machine reasons for a handoff. Sensitive topics use `sensitive_reason(topic)` (``sensitive:<topic>``)."""

    ASKED_FOR_HUMAN = "asked_for_human"
    LOW_CONFIDENCE = "low_confidence"
    REPEATED_FAILURE = "repeated_failure"
    NO_KNOWLEDGE = "no_knowledge"
    VIP = "vip"
    ROUTING = "routing"
    GUARDRAIL = "guardrail"
    LANGUAGE = "language"
    REJECTED_DRAFT = "rejected_draft"
    NO_AI_REQUESTED = "no_ai_requested"  # the customer asked for no AI answers (typed or the button), just now
    NO_AI = "no_ai"  # a customer who asked for no AI answers earlier: a person answers, the AI stays quiet


SENSITIVE_PREFIX = "sensitive:"


def sensitive_reason(topic: str) -> str:
    """The reason code for a sensitive topic, e.g. ``sensitive:billing_dispute``."""
    return f"{SENSITIVE_PREFIX}{topic}"


class HandoffStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a conversation lives. `opaque` carries adapter-only data (e.g. a Teams ConversationReference)."""

    platform: Platform
    workspace: str
    channel: str
    thread: str | None = None
    is_dm: bool = False
    opaque: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)

    def in_thread(self, thread: str) -> Address:
        return Address(self.platform, self.workspace, self.channel, thread, self.is_dm, self.opaque)


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str = ""
    org: str = ""
    role: Role = Role.CUSTOMER
    is_external: bool = False
    org_name: str = ""  # the organisation as people write it ("Acme Inc."); `org` is its id (VIP lists match it)

    @property
    def org_label(self) -> str:
        """The organisation as a person should read it: its name when known, else its id."""
        return self.org_name or self.org


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did, already translated out of its platform's payload."""

    message_id: str
    address: Address
    author: Actor
    text: str
    received_at: datetime
    kind: InboundKind = InboundKind.MESSAGE
    language: str | None = None
    reason_choice: str | None = None  # the customer's own reason from the handoff dropdown, if given


@dataclass(frozen=True, slots=True)
class Citation:
    article_id: str
    title: str
    url: str = ""
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    """A button. `value` is what comes back when pressed; adapters map `kind` to their own widgets."""

    kind: str  # helpful | not_helpful | human | claim | resolve | approve | edit | reject | csat | rewrite
    label: str
    value: str = ""
    style: str = ""  # "" | primary | danger


@dataclass(frozen=True, slots=True)
class Reply:
    """Platform-neutral message: markdown-lite text (*bold*, _italic_, `code`, links), citations, actions."""

    text: str
    citations: tuple[Citation, ...] = ()
    actions: tuple[Action, ...] = ()
    sources_label: str = ""  # the heading above the citations, in the reply's language ("" : "Sources")
    # Set by the outbox worker: the same on every retry of one send, so an adapter can recognise its own earlier
    # post (Slack: message metadata) and not post it twice. Not part of what the message says.
    idempotency_key: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """A ranked retrieval result, as the engine and `frontdesk ask --json` see it."""

    article_id: str
    title: str
    score: float
    url: str = ""
    team: str = ""
    snippet: str = ""
    audience: Audience = Audience.CUSTOMER  # guardrails block internal articles from customer replies


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    """What the knowledge chain proposes; policies decide whether it is ever sent."""

    text: str
    confidence: float
    articles: tuple[ArticleHit, ...] = ()
    citations: tuple[Citation, ...] = ()
    relevant: bool = True  # False when nothing in the KB clears the relevance floor
    team: str = ""
    usage: TokenUsage = TokenUsage()
    passages: tuple[str, ...] = ()  # the full text the answer was grounded on (guardrails check facts against it)


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of the decision: which step ran and what it concluded. The digest and dashboard show these."""

    step: str
    outcome: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """What the engine asks the knowledge chain: the text, the earlier customer turns, and who is asking."""

    text: str
    language: str
    audience: Audience = Audience.CUSTOMER
    history: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    """A channel's effective behaviour, resolved by the store from config, admin changes and channel age."""

    mode: Mode = Mode.AI_FIRST
    threshold: float = 0.70
    team: str = ""
    ai_share: float = 1.0
    paused: bool = False
    audience: Audience = Audience.CUSTOMER
    explicit_mode: bool = False  # set by an admin: overrides the new-channel approval period


@dataclass(frozen=True, slots=True)
class DeskEvent:
    """Who did what on a handoff, and when: approve / edit / reject a draft, a parallel pick, a hand back.

    Cards show the latest ("Approved by Alex at 14:02"); the override metric counts them. `kind` is a key of
    `bot.core.reasons.EVENTS`.
    """

    kind: str
    agent: str  # the agent's platform id
    at: datetime
    agent_name: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """An agent's own reply waiting for them to pick (collaboration models, MISSION §10).

    Parallel: `text` is the agent's reply, shown beside the AI's draft (`Handoff.suggestion`). Agent-first: `text`
    is what the agent wrote and `alternative` the AI's improved wording of it (with an LLM), to accept, edit or
    decline.
    """

    text: str
    agent: str
    agent_name: str = ""
    alternative: str = ""


@dataclass(frozen=True, slots=True)
class Handoff:
    """Everything a card shows, platform-neutral: Slack renders it as Block Kit, Teams as an Adaptive Card, the
    playground as HTML. `title` is the customer's question in one line; `summary` says what they asked, what the AI
    answered (citing `cited`) and why a person is needed; `updates` are customer messages since the handoff."""

    summary: str
    reason: str
    team: str
    priority: Priority = Priority.NORMAL
    transcript_link: str = ""
    customer: Actor | None = None
    language: str = ""
    sentiment: str = ""
    vip: bool = False
    suggestion: Reply | None = None  # the AI's draft, for pre-approval / agent-first / parallel
    customer_reason: str | None = None
    reported: bool = False  # threats and abuse: admins are told, not only the team
    title: str = ""  # the customer's question, one line (the card's headline)
    cited: tuple[Citation, ...] = ()  # articles the AI cited or found, with the passage, as references for agents
    updates: tuple[str, ...] = ()  # what the customer wrote after the handoff, oldest first
    events: tuple[DeskEvent, ...] = ()  # what agents did, oldest first
    proposal: Proposal | None = None  # an agent's reply waiting for their pick (parallel, agent-first)

    @property
    def last_event(self) -> DeskEvent | None:
        return self.events[-1] if self.events else None

    @property
    def handed_back(self) -> bool:
        """Closed by handing the conversation back to the AI, not resolved by a person."""
        return any(e.kind == "handed_back" for e in self.events)


@dataclass(frozen=True, slots=True)
class Respond:
    reply: Reply
    reason: str
    confidence: float
    language: str
    articles: tuple[ArticleHit, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    usage: TokenUsage = TokenUsage()


@dataclass(frozen=True, slots=True)
class Escalate:
    """Hand the conversation to humans: `reply` tells the customer, `handoff` goes to the team's agents."""

    reply: Reply
    handoff: Handoff
    reason: str
    language: str
    confidence: float | None = None
    articles: tuple[ArticleHit, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    usage: TokenUsage = TokenUsage()


@dataclass(frozen=True, slots=True)
class Draft:
    """An AI suggestion for agents only (pre-approval, agent-first, parallel); the customer may get a notice."""

    suggestion: Reply
    handoff: Handoff
    mode: Mode
    reason: str
    language: str
    confidence: float
    notice: Reply | None = None
    articles: tuple[ArticleHit, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    usage: TokenUsage = TokenUsage()


@dataclass(frozen=True, slots=True)
class Ignore:
    """Say nothing. `language` is still recorded, so per-language metrics count silent turns too (MISSION §8)."""

    reason: str
    trace: tuple[TraceStep, ...] = ()
    language: str = ""


Decision = Respond | Escalate | Draft | Ignore


class TicketKind(StrEnum):
    HANDOFF = "handoff"  # a human must answer
    DRAFT = "draft"  # an AI draft awaiting approve / edit / reject


@dataclass(frozen=True, slots=True)
class Ticket:
    """A stored handoff or draft as agents see it: what their card renders and their buttons act on."""

    id: str
    conversation_key: str
    address: Address
    handoff: Handoff
    kind: TicketKind = TicketKind.HANDOFF
    status: HandoffStatus = HandoffStatus.OPEN
    agent: str | None = None
    created_at: datetime | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    card_ref: str = ""  # where the card was posted (platform message id), for updates


def decision_kind(decision: Decision) -> str:
    """The short name used in JSON output and the store: answer | escalate | draft | ignore."""
    match decision:
        case Respond():
            return "answer"
        case Escalate():
            return "escalate"
        case Draft():
            return "draft"
        case Ignore():
            return "ignore"
        case _:
            assert_never(decision)
