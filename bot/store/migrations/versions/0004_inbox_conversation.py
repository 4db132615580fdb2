"""The inbox remembers each event's conversation, so a replica holding a conversation's lock can decide the
conversation's earlier pending events first (replies in order across replicas; docs/decisions.md, issue 18 replicas).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("conversation_key", sa.String(length=512), nullable=True))
    op.create_index("ix_inbox_conversation_state", "inbox", ["conversation_key", "state"])


def downgrade() -> None:
    op.drop_index("ix_inbox_conversation_state", table_name="inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("conversation_key")
