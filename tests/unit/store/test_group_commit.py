"""The group commit: concurrent writes share one transaction; one faulty job fails alone; a database failure fails
every job of its batch (and none is reported written)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.group_commit import GroupCommit
from bot.store.migrate import upgrade
from bot.store.models import Setting
from bot.store.sql import SqlStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gc.db'}"
    await upgrade(url)
    sql = SqlStore(url)
    yield sql
    await sql.close()


def put(key: str, fail: Exception | None = None):  # type: ignore[no-untyped-def]
    async def job(session: AsyncSession) -> str:
        await session.execute(text("INSERT INTO settings (key, value, updated_at) VALUES (:k, 'v', '2026-12-08')"), {"k": key})
        if fail is not None:
            raise fail
        return key

    return job


async def stored(store: SqlStore) -> set[str]:
    async with store._sessions() as session:
        return set((await session.scalars(select(Setting.key))).all())


async def test_concurrent_writes_share_one_transaction(store: SqlStore) -> None:
    group = GroupCommit(store._sessions)
    done = await asyncio.gather(*(group.run(put(f"k{n}")) for n in range(10)))
    assert done == [f"k{n}" for n in range(10)]
    assert group.transactions == 1
    assert await stored(store) == {f"k{n}" for n in range(10)}


async def test_a_faulty_job_fails_alone_and_the_others_are_written(store: SqlStore) -> None:
    group = GroupCommit(store._sessions)
    outcomes = await asyncio.gather(
        group.run(put("a")), group.run(put("b", ValueError("bug"))), group.run(put("c")), return_exceptions=True
    )
    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert isinstance(outcomes[1], ValueError)
    assert await stored(store) == {"a", "c"}  # b's insert was rolled back with its failure


async def test_a_database_failure_fails_the_whole_batch_and_writes_nothing(store: SqlStore) -> None:
    group = GroupCommit(store._sessions)
    locked = OperationalError("INSERT", {}, Exception("database is locked"))
    outcomes = await asyncio.gather(group.run(put("a")), group.run(put("b", locked)), return_exceptions=True)
    assert all(isinstance(o, OperationalError) for o in outcomes)
    assert group.transactions == 1  # not retried job by job: that would wait out a lock once per job
    assert await stored(store) == set()
