"""SQLAlchemy 2 declarative models: the one schema SQLite and PostgreSQL share (migrations mirror it exactly).

Enumerations are stored as short strings, not database enums, so adding a mode or a reason never needs a type
migration. Conversations, decisions, tickets and feedback refer to each other by the conversation key (a stable
string) rather than foreign keys, so a decision can be recorded before its conversation row is first written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Explicit constraint names keep migrations reproducible on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database: SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Org(Base):
    """A customer organisation (a Slack Connect team, a Teams tenant)."""

    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    is_external: Mapped[bool] = mapped_column(Boolean, default=True)
    vip: Mapped[bool | None] = mapped_column(Boolean)  # None: follow the config list
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Customer(Base):
    """A person who wrote to the desk; external (a customer) or internal (a colleague)."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="customer")
    is_external: Mapped[bool] = mapped_column(Boolean, default=False)
    vip: Mapped[bool | None] = mapped_column(Boolean)  # None: follow the config list
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Channel(Base):
    """What an admin changed about a channel; NULL columns fall back to the configured defaults."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "workspace", "channel_id", name="uq_channels_address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(255))
    channel_id: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str | None] = mapped_column(String(32))
    explicit_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold: Mapped[float | None] = mapped_column(Float)
    team: Mapped[str | None] = mapped_column(String(255))
    ai_share: Mapped[float | None] = mapped_column(Float)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str | None] = mapped_column(String(16))
    created: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime]


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(255))
    thread: Mapped[str | None] = mapped_column(String(255))
    is_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    opaque: Mapped[dict[str, Any]]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    ai_answers: Mapped[int] = mapped_column(Integer, default=0)
    last_articles: Mapped[list[Any]]
    handoff_id: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TurnRow(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_turns_conversation_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255), default="")
    decision: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime]


class Delivery(Base):
    """One row per platform message seen: the unique key is what stops replicas answering a retry twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("platform", "message_id", name="uq_deliveries_platform_message"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(255))
    seen_at: Mapped[datetime]


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_delivered_at", "delivered", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(512), index=True)
    message_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(255))
    confidence: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(16), default="")
    article_ids: Mapped[list[Any]]
    trace: Mapped[list[Any]]
    text: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(index=True)
    # Added in 0002 for metrics per team and channel, and cost per resolution (token usage of the LLM path).
    team: Mapped[str] = mapped_column(String(255), default="", server_default="")
    channel: Mapped[str] = mapped_column(String(255), default="", server_default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class TicketRow(Base):
    """A handoff or a draft awaiting approval; `handoff` keeps the whole card (summary, customer, suggestion)."""

    __tablename__ = "tickets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(512), index=True)
    address: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    team: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    handoff: Mapped[dict[str, Any]]
    agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    card_ref: Mapped[str] = mapped_column(String(255), default="")


class FeedbackRow(Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="csat_range"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    conversation_key: Mapped[str] = mapped_column(String(512), index=True)
    actor_id: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(index=True)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[int | None] = mapped_column(Integer)
    rewrote: Mapped[bool | None] = mapped_column(Boolean)
    edited_text: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(255), default="")
    decision_id: Mapped[int | None] = mapped_column(Integer, index=True)
    article_ids: Mapped[list[Any]]


class AdminChangeRow(Base):
    __tablename__ = "admin_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(255))
    what: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class InboxRow(Base):
    """An accepted platform event with its payload (added in 0003). The unique key de-duplicates retries; the row
    stays `pending` until the decision for it commits (in the same transaction), so a crash never burns the key."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "message_id", name="uq_inbox_platform_message"),
        Index("ix_inbox_state_received", "state", "received_at"),
        Index("ix_inbox_conversation_state", "conversation_key", "state"),  # 0004: earlier events decided first
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(255))
    conversation_key: Mapped[str | None] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class OutboxRow(Base):
    """One thing to send (added in 0003): written with the decision, claimed by a worker, marked sent per item."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    conversation_key: Mapped[str] = mapped_column(String(512), index=True)
    ticket_id: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    ref: Mapped[str] = mapped_column(String(255), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
