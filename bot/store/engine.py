"""The async engine for a database URL, with SQLite's per-connection pragmas (WAL, foreign keys, busy timeout)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core.errors import ConfigError
from bot.store.urls import async_url, redact


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while the dispatcher writes; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the process being killed
    # (kill -9), and only an operating-system crash can lose the last ones. Production-grade durability across
    # power loss is PostgreSQL's job; SQLite is the one-process, zero-configuration default.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """An async engine for `url` (see `bot.store.urls`), with SQLite's pragmas set on every connection."""
    parsed = async_url(url)
    engine = create_async_engine(parsed, pool_pre_ping=parsed.get_backend_name() == "postgresql")
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine



@asynccontextmanager
async def connected(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection; an unreachable database is one line naming it (password hidden), not a driver traceback.

    Only the connection attempt is translated: an error in a statement once connected is a bug to see in full.
    """
    try:
        connection = await engine.connect()
    except (DBAPIError, OSError) as exc:
        where = redact(engine.url.render_as_string(hide_password=True))
        cause = getattr(exc, "orig", None) or exc
        reason = " ".join(str(cause).split()) or type(cause).__name__
        raise ConfigError(f"cannot connect to the database at {where}: {redact(reason)}") from None
    try:
        yield connection
    finally:
        await connection.close()
