"""The dialect's own INSERT, so callers can say ON CONFLICT DO NOTHING / DO UPDATE on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.core.errors import ConfigError


def insert_for(name: str, model: Any) -> PgInsert | SqliteInsert:
    """`name` is the dialect name (``engine.dialect.name``)."""
    if name == "postgresql":
        return pg_insert(model)
    if name == "sqlite":
        return sqlite_insert(model)
    raise ConfigError(f"database {name!r} is not supported; use SQLite or PostgreSQL")
