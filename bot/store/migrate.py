"""Programmatic Alembic: `upgrade(url)` and `current(url)` without an alembic.ini in the working directory.

The script location is this package's own `migrations/` folder, so `frontdesk db upgrade` works the same from a
checkout and from an installed wheel. On PostgreSQL an advisory lock serialises replicas that start together.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.store.engine import connected, make_engine

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


async def upgrade(url: str, revision: str = "head") -> str:
    """Migrate the database at `url` to `revision` (default: the newest); returns the revision it is now at."""
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
