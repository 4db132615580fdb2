"""Programmatic Alembic: `upgrade(url)` and `current(url)` without an alembic.ini in the working directory.

The script location is this package's own `migrations/` folder, so `frontdesk db upgrade` works the same from a
checkout and from an installed wheel. Replicas that start together on an empty database must not both create the
schema (the loser fails with "table … already exists"): on PostgreSQL a transaction-level advisory lock serialises
them, on a SQLite file an exclusive `flock` on a file beside it (SQLite's own lock is taken only at the first write,
after Alembic has already read "no revision yet"). The second one then finds the schema current and does nothing.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.store.engine import connected, make_engine
from bot.store.urls import sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x46_44_4D_49  # "FDMI": one advisory lock id for schema changes


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision shipped with this version of Frontdesk."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> str | None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    command.upgrade(alembic_config(connection), revision)
    return _current(connection)


@asynccontextmanager
async def _file_lock(url: str) -> AsyncIterator[None]:
    """An exclusive lock on `<database>.migrate.lock` for a SQLite file (nothing for PostgreSQL or in-memory)."""
    path = sqlite_path(url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".migrate.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)  # waits for the other process, off the event loop
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


async def upgrade(url: str, revision: str = "head") -> str:
    """Migrate the database at `url` to `revision` (default: the newest); returns the revision it is now at."""
    async with _file_lock(url):
        engine = make_engine(url)
        try:
            async with connected(engine) as connection, connection.begin():
                return await connection.run_sync(_upgrade, revision) or ""
        finally:
            await engine.dispose()


async def current(url: str) -> str | None:
    """The database's revision, or None when it has never been migrated."""
    engine = make_engine(url)
    try:
        async with connected(engine) as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()
