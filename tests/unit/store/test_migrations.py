"""Alembic migrations: `upgrade` works without an alembic.ini, is idempotent, and yields exactly the models' schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.core.errors import ConfigError
from bot.store.engine import make_engine
from bot.store.migrate import MIGRATIONS, alembic_config, current, head, upgrade
from bot.store.models import Base

from .conftest import create_pg_schema, drop_pg_schema


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _check_schema_matches_models(url: str) -> None:
    assert await current(url) is None
    revision = await upgrade(url)
    assert revision == head() == "0004"
    assert await current(url) == revision
    assert await upgrade(url) == revision  # running it again changes nothing
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            tables = await connection.run_sync(_tables)
    finally:
        await engine.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


async def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    await _check_schema_matches_models(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'fd.db'}")
    assert (tmp_path / "nested" / "dir" / "fd.db").exists()


@pytest.mark.postgres
async def test_postgres_schema_matches_models() -> None:
    schema, url = await create_pg_schema()
    try:
        await _check_schema_matches_models(url)
    finally:
        await drop_pg_schema(schema)


async def test_downgrade_to_base_removes_every_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == {"alembic_version"}
    finally:
        await engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    # Package data must carry these for `frontdesk db upgrade` to work from an installed wheel.
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "__init__.py").is_file() and (MIGRATIONS / "versions" / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "scheme 'mysql' is not supported"),
        ("not a url", "is not a valid URL"),
    ],
)
async def test_bad_database_url_says_what_to_write(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        await upgrade(url)
    assert "sqlite+aiosqlite:///" in str(caught.value)
