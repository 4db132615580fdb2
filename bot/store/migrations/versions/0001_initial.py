"""Initial schema: orgs, customers, channels, conversations and turns, deliveries, decisions, tickets, feedback,
admin changes and settings.

Written to match bot/store/models.py at this revision (tests/unit/store/test_migrations.py checks that the migrated
schema and the models agree). Migrations never import the models: they describe the schema as it was then.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(table: str) -> tuple[sa.Column[int], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _str(name: str, length: int = 255, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "orgs",
        *_id("orgs"),
        _str("external_id"),
        _str("name"),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=True),
        _at("first_seen"),
        _at("last_seen"),
        sa.UniqueConstraint("external_id", name="uq_orgs_external_id"),
    )
    op.create_table(
        "customers",
        *_id("customers"),
        _str("external_id"),
        _str("name"),
        sa.Column("org_id", sa.Integer(), nullable=True),
        _str("role", 16),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=True),
        _at("first_seen"),
        _at("last_seen"),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name="fk_customers_org_id_orgs", ondelete="SET NULL"),
        sa.UniqueConstraint("external_id", name="uq_customers_external_id"),
    )
    op.create_index("ix_customers_org_id", "customers", ["org_id"])

    op.create_table(
        "channels",
        *_id("channels"),
        _str("platform", 16),
        _str("workspace"),
        _str("channel_id"),
        _str("mode", 32, nullable=True),
        sa.Column("explicit_mode", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        _str("team", nullable=True),
        sa.Column("ai_share", sa.Float(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _str("audience", 16, nullable=True),
        sa.Column("created", sa.Date(), nullable=False),
        _at("updated_at"),
        sa.UniqueConstraint("platform", "workspace", "channel_id", name="uq_channels_address"),
    )

    op.create_table(
        "conversations",
        *_id("conversations"),
        _str("key", 512),
        _str("platform", 16),
        _str("workspace"),
        _str("channel"),
        _str("thread", nullable=True),
        sa.Column("is_dm", sa.Boolean(), nullable=False),
        sa.Column("opaque", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        _str("status", 16),
        _str("language", 16, nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("ai_answers", sa.Integer(), nullable=False),
        sa.Column("last_articles", sa.JSON(), nullable=False),
        _str("handoff_id", 64, nullable=True),
        _str("claimed_by", nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        _at("started_at"),
        _at("updated_at"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_conversations_customer_id_customers"),
        sa.UniqueConstraint("key", name="uq_conversations_key"),
    )
    op.create_index("ix_conversations_customer_id", "conversations", ["customer_id"])
    op.create_index("ix_conversations_status", "conversations", ["status"])

    op.create_table(
        "turns",
        *_id("turns"),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _str("role", 16),
        sa.Column("text", sa.Text(), nullable=False),
        _str("author"),
        _str("decision", 16),
        _str("reason"),
        _at("at"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_turns_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_turns_conversation_seq"),
    )

    op.create_table(
        "deliveries",
        *_id("deliveries"),
        _str("platform", 16),
        _str("message_id"),
        _at("seen_at"),
        sa.UniqueConstraint("platform", "message_id", name="uq_deliveries_platform_message"),
    )

    op.create_table(
        "decisions",
        *_id("decisions"),
        _str("conversation_key", 512),
        _str("message_id"),
        _str("kind", 16),
        _str("reason"),
        sa.Column("confidence", sa.Float(), nullable=True),
        _str("language", 16),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        _at("at"),
    )
    op.create_index("ix_decisions_at", "decisions", ["at"])
    op.create_index("ix_decisions_conversation_key", "decisions", ["conversation_key"])
    op.create_index("ix_decisions_delivered_at", "decisions", ["delivered", "at"])

    op.create_table(
        "tickets",
        _str("id", 64),
        _str("conversation_key", 512),
        sa.Column("address", sa.JSON(), nullable=False),
        _str("kind", 16),
        _str("status", 16),
        _str("team"),
        _str("reason"),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("handoff", sa.JSON(), nullable=False),
        _str("agent", nullable=True),
        _at("created_at"),
        _at("claimed_at", nullable=True),
        _at("resolved_at", nullable=True),
        _str("card_ref"),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
    )
    op.create_index("ix_tickets_conversation_key", "tickets", ["conversation_key"])
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])
    op.create_index("ix_tickets_status", "tickets", ["status"])

    op.create_table(
        "feedback",
        *_id("feedback"),
        _str("kind", 32),
        _str("conversation_key", 512),
        _str("actor_id"),
        _at("at"),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("rewrote", sa.Boolean(), nullable=True),
        sa.Column("edited_text", sa.Text(), nullable=False),
        _str("reason"),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="ck_feedback_csat_range"),
    )
    op.create_index("ix_feedback_at", "feedback", ["at"])
    op.create_index("ix_feedback_conversation_key", "feedback", ["conversation_key"])
    op.create_index("ix_feedback_decision_id", "feedback", ["decision_id"])

    op.create_table(
        "admin_changes",
        *_id("admin_changes"),
        _str("actor_id"),
        sa.Column("what", sa.Text(), nullable=False),
        _at("at"),
    )
    op.create_index("ix_admin_changes_at", "admin_changes", ["at"])

    op.create_table(
        "settings",
        _str("key"),
        sa.Column("value", sa.Text(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    for table in (
        "settings",
        "admin_changes",
        "feedback",
        "tickets",
        "decisions",
        "deliveries",
        "turns",
        "conversations",
        "channels",
        "customers",
        "orgs",
    ):
        op.drop_table(table)  # indexes and constraints go with their table
