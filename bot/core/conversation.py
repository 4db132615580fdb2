"""The `Conversation` aggregate and the one function that names a conversation.

A conversation is one customer thread. It is the only mutable object in the core, and only the dispatcher (and
the agent desk, for agent actions) mutate it, through the methods here, so every state change is in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.types import Actor, Address, ArticleHit, Role


class ConversationStatus(StrEnum):
    OPEN = "open"  # the AI may answer
    ESCALATED = "escalated"  # a handoff is waiting for an agent; the AI stays quiet
    CLAIMED = "claimed"  # an agent owns the thread; the AI stays quiet
    RESOLVED = "resolved"  # closed by an agent; a new customer message re-opens it for the AI


def conversation_key(address: Address) -> str:
    """Thread > DM > channel message: the explicit rule that decides what counts as one conversation.

    A message in a thread belongs to that thread; a DM without threads is one running conversation per DM channel;
    a top-level channel message starts a conversation keyed by itself (adapters set `thread` to its own id).
    """
    base = f"{address.platform}:{address.workspace}:{address.channel}"
    if address.thread:
        return f"{base}:{address.thread}"
    if address.is_dm:
        return f"{base}:dm"
    raise ValueError("a channel message needs a thread id (adapters set it to the message's own id)")


@dataclass(frozen=True, slots=True)
class Turn:
    role: Role
    text: str
    at: datetime
    author_id: str = ""
    decision: str = ""  # answer | escalate | draft | ignore, for AI turns
    reason: str = ""


@dataclass(slots=True)
class Conversation:
    key: str
    address: Address
    customer: Actor
    started_at: datetime
    status: ConversationStatus = ConversationStatus.OPEN
    language: str | None = None
    failed_attempts: int = 0
    ai_answers: int = 0
    turns: list[Turn] = field(default_factory=list)
    last_articles: tuple[ArticleHit, ...] = ()
    handoff_id: str | None = None
    claimed_by: str | None = None
    reopened: int = 0
    id: int | None = None  # assigned by the store

    @property
    def ai_may_speak(self) -> bool:
        return self.status in (ConversationStatus.OPEN, ConversationStatus.RESOLVED)

    def customer_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.role is Role.CUSTOMER]

    def add_turn(self, turn: Turn) -> None:
        if turn.role is Role.CUSTOMER and self.status is ConversationStatus.RESOLVED:
            # A customer writing into a resolved thread re-opens it for a fresh start, without a handoff loop.
            self.status = ConversationStatus.OPEN
            self.failed_attempts = 0
            self.handoff_id = None
            self.claimed_by = None
            self.reopened += 1
        self.turns.append(turn)

    def record_answer(self, articles: tuple[ArticleHit, ...]) -> None:
        self.ai_answers += 1
        self.last_articles = articles

    def record_failure(self) -> None:
        self.failed_attempts += 1

    def escalate(self, handoff_id: str) -> None:
        self.status = ConversationStatus.ESCALATED
        self.handoff_id = handoff_id

    def claim(self, agent_id: str) -> None:
        self.status = ConversationStatus.CLAIMED
        self.claimed_by = agent_id

    def resolve(self) -> None:
        self.status = ConversationStatus.RESOLVED

    def accept_draft(self) -> None:
        """An agent approved (or edited) the AI's pre-approval draft: it was sent, and the AI keeps the thread."""
        self.status = ConversationStatus.OPEN
        self.ai_answers += 1

    def hand_back(self) -> None:
        """An agent returns the thread to the AI."""
        self.status = ConversationStatus.OPEN
        self.failed_attempts = 0
        self.claimed_by = None
