"""Store fixtures: the same contract runs on memory, SQLite (a temp file) and PostgreSQL (a schema per test).

PostgreSQL comes from DATABASE_URL_TEST or postgresql+psycopg://postgres@127.0.0.1:5432/test. Each test gets its own
schema named with a per-run random suffix, so CI and a developer running the suite at once never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.types import Mode
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore

PG_URL = os.environ.get("DATABASE_URL_TEST", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]

TEST_DEFAULTS = ChannelDefaults(
    vip_customers=frozenset({"U_VIP"}),
    vip_orgs=frozenset({"T_VIP"}),
    explicit_modes={"C_CFG": Mode.AGENT_FIRST},
)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _pg_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why the PostgreSQL tests skip."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return "psycopg is not installed"
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    try:
        with psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or None,
            dbname=url.database or "test",
            connect_timeout=3,
        ):
            return None
    except psycopg.OperationalError as exc:
        return (
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)} ({exc.__class__.__name__}); "
            "start it or set DATABASE_URL_TEST to run the PostgreSQL store tests"
        )


_PG_SKIP: list[str | None] = []


def pg_skip_reason() -> str | None:
    if not _PG_SKIP:
        _PG_SKIP.append(_pg_reason())
    return _PG_SKIP[0]


def schema_url(schema: str) -> str:
    """The test database URL with `search_path` set to one schema (libpq `options`, passed through to psycopg)."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


async def _pg_exec(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    conn = await psycopg.AsyncConnection.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname=url.database or "test",
        autocommit=True,
    )
    async with conn:
        await conn.execute(sql.encode())


async def create_pg_schema() -> tuple[str, str]:
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    schema = f"fd_test_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    await _pg_exec(f'CREATE SCHEMA "{schema}"')
    return schema, schema_url(schema)


async def drop_pg_schema(schema: str) -> None:
    await _pg_exec(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


StoreFactory = Callable[..., Awaitable[Any]]

BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(params=BACKENDS)
async def make_store(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[StoreFactory]:
    """An async factory `await make_store(defaults=...)`. SQL stores it makes share one database; memory stores don't."""
    backend: str = request.param
    opened: list[Any] = []
    url = ""
    schema = ""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'store.db'}"
    elif backend == "postgres":
        schema, url = await create_pg_schema()
    migrated = False

    async def factory(defaults: ChannelDefaults = TEST_DEFAULTS) -> Any:
        nonlocal migrated
        if backend == "memory":
            return MemoryStore(defaults, clock=clock)
        from bot.store.migrate import upgrade
        from bot.store.sql import SqlStore

        if not migrated:
            await upgrade(url)
            migrated = True
        store = SqlStore(url, defaults, clock=clock)
        opened.append(store)
        return store

    try:
        yield factory
    finally:
        for store in opened:
            await store.close()
        if schema:
            await drop_pg_schema(schema)
