"""Decisions record their team, channel and token usage (metrics per team/channel, cost per resolution).

Existing rows get empty team/channel and zero usage: their team is unknown, and no cost was recorded for them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("team", "channel", "input_tokens", "output_tokens", "cost_usd")


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("team", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("channel", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("input_tokens", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("output_tokens", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("cost_usd", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
