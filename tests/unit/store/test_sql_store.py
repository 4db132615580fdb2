"""What only the SQL store must do: stay correct when several replicas share one database, and talk SQL sanely."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.conversation import Conversation, Turn
from bot.core.types import Actor, Address, Mode, Platform, Role
from bot.store.defaults import ChannelDefaults
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from bot.store.urls import async_url

from .conftest import TEST_DEFAULTS, create_pg_schema, drop_pg_schema

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDR = Address(Platform.SLACK, "T1", "C1", "1.0")


async def _race_replicas(url: str) -> None:
    await upgrade(url)
    replicas = [SqlStore(url, TEST_DEFAULTS), SqlStore(url, TEST_DEFAULTS)]
    try:
        keys = [f"m{i}" for i in range(15)]
        # Every key is offered by both replicas at the same time, twice each; exactly one call may win.
        calls = [store.first_delivery("slack", key) for key in keys for store in replicas * 2]
        results = await asyncio.gather(*calls)
        wins = [sum(results[i * 4 : i * 4 + 4]) for i in range(len(keys))]
        assert wins == [1] * len(keys)
        # and the first sighting of a channel is registered once, whichever replica saw it
        policies = await asyncio.gather(*(s.channel_policy(ADDR, T0) for s in replicas * 2))
        assert {p.mode for p in policies} == {Mode.PRE_APPROVAL}
        # two replicas append to the same conversation at the same time: no error, no lost turn
        await replicas[0].save_conversation(Conversation("k", ADDR, Actor("U1"), T0))
        for round_ in range(4):
            loaded = await asyncio.gather(*(s.load_conversation("k") for s in replicas))
            for n, conv in enumerate(loaded):
                assert conv is not None
                conv.add_turn(Turn(Role.CUSTOMER, f"r{round_} from {n}", T0, "U1"))
            await asyncio.gather(*(s.save_conversation(c) for s, c in zip(replicas, loaded, strict=True) if c))
        final = await replicas[1].load_conversation("k")
        assert final is not None
        assert sorted(t.text for t in final.turns) == sorted(f"r{r} from {n}" for r in range(4) for n in (0, 1))
    finally:
        for store in replicas:
            await store.close()


@pytest.mark.postgres
async def test_replicas_racing_on_postgres_stay_correct() -> None:
    schema, url = await create_pg_schema()
    try:
        await _race_replicas(url)
    finally:
        await drop_pg_schema(schema)


async def test_replicas_racing_on_sqlite_stay_correct(tmp_path: Path) -> None:
    await _race_replicas(f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}")


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    await upgrade(url)
    store = SqlStore(url, TEST_DEFAULTS)
    try:
        async with store.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await store.close()


async def test_times_come_back_in_utc_whatever_zone_went_in(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    await upgrade(url)
    store = SqlStore(url, TEST_DEFAULTS)
    try:
        berlin = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
        await store.save_conversation(Conversation("k", ADDR, Actor("U1"), berlin))
        loaded = await store.load_conversation("k")
        assert loaded is not None
        assert loaded.started_at == T0 and loaded.started_at.tzinfo is UTC
    finally:
        await store.close()


async def test_opaque_address_data_must_be_json(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    await upgrade(url)
    store = SqlStore(url, TEST_DEFAULTS)
    try:
        odd = Address(Platform.TEAMS, "t", "c", "1", opaque={"ref": object()})
        with pytest.raises(ValueError, match="Address.opaque must be JSON-serialisable"):
            await store.save_conversation(Conversation("k", odd, Actor("U1"), T0))
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://u:p@db:5432/fd", "postgresql+psycopg"),
        ("postgresql://u@db/fd", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/fd", "postgresql+psycopg"),
        ("sqlite:///var/x.db", "sqlite+aiosqlite"),
    ],
)
def test_common_urls_are_switched_to_async_drivers(given: str, driver: str, tmp_path: Path) -> None:
    if given.startswith("sqlite"):
        given = f"sqlite:///{tmp_path / 'sub' / 'x.db'}"
    assert async_url(given).drivername == driver
    if given.startswith("sqlite"):
        assert (tmp_path / "sub").is_dir()


async def test_config_changes_reach_channels_nobody_overrode(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    await upgrade(url)
    before = SqlStore(url, ChannelDefaults(threshold=0.7, team="support", approval_days=0))
    after = SqlStore(url, ChannelDefaults(threshold=0.5, team="billing", approval_days=10, mode=Mode.HYBRID))
    try:
        await before.channel_policy(ADDR, T0)
        await before.set_channel(ADDR, paused=True)
        policy = await after.channel_policy(ADDR, T0 + timedelta(days=3))
        # new defaults apply; the admin's pause and the channel's first-seen date (approval period) are kept
        assert (policy.threshold, policy.team, policy.paused, policy.mode) == (0.5, "billing", True, Mode.PRE_APPROVAL)
        assert (await after.channel_policy(ADDR, T0 + timedelta(days=10))).mode is Mode.HYBRID
    finally:
        await before.close()
        await after.close()
