"""The durable message path: `inbox` (accepted events with their payload, pending until decided) and `outbox`
(everything a decision sends, delivered and marked sent per item by a worker).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int = 255) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("platform", 16),
        _str("message_id"),
        sa.Column("payload", sa.JSON(), nullable=False),
        _str("state", 16),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("received_at"),
        _at("decided_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("platform", "message_id", name="uq_inbox_platform_message"),
    )
    op.create_index("ix_inbox_state_received", "inbox", ["state", "received_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("key", 512),
        _str("kind", 16),
        _str("platform", 16),
        _str("conversation_key", 512),
        _str("ticket_id", 64),
        sa.Column("payload", sa.JSON(), nullable=False),
        _str("state", 16),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_at"),
        _at("created_at"),
        _at("sent_at", nullable=True),
        _str("ref"),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_state_next", "outbox", ["state", "next_at"])
    op.create_index("ix_outbox_conversation_key", "outbox", ["conversation_key"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("inbox")
