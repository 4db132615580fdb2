"""The customers' "no AI answers" records: per customer, listed, cleared by id, name, org or all; bad data is
an empty list, never an error."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.types import Actor, Address, Platform
from bot.orchestration import no_ai
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SLACK = Address(Platform.SLACK, "T1", "C1", "1.0")
TEAMS = Address(Platform.TEAMS, "tenant", "19:abc", None)


async def test_opt_out_list_and_clear() -> None:
    store = MemoryStore(ChannelDefaults())
    dana, lee = Actor("U1", "Dana", "acme"), Actor("29:x", "Lee", "globex")
    await no_ai.opt_out(store, dana, SLACK, AT, "button")
    await no_ai.opt_out(store, lee, TEAMS, AT.replace(hour=10), "typed 'keine ki antworten'")
    assert await no_ai.opted_out(store, dana, SLACK) and await no_ai.opted_out(store, lee, TEAMS)
    assert not await no_ai.opted_out(store, dana, TEAMS)  # the same id elsewhere is someone else
    assert [e.describe() for e in await no_ai.listed(store)] == [
        "Dana (acme) on slack, since 2026-12-07 09:30 UTC (button)",
        "Lee (globex) on teams, since 2026-12-07 10:30 UTC (typed 'keine ki antworten')",
    ]
    assert await no_ai.clear(store, "nobody") == []
    assert [e.name for e in await no_ai.clear(store, "ACME")] == ["Dana"]
    assert not await no_ai.opted_out(store, dana, SLACK)
    assert [e.name for e in await no_ai.clear(store, "all")] == ["Lee"]
    assert await no_ai.listed(store) == []


async def test_an_unreadable_index_is_an_empty_list() -> None:
    store = MemoryStore(ChannelDefaults())
    for raw in ("<html>502</html>", "[1]", '{"x": {"bad": 1}}'):
        await store.put_setting(no_ai.INDEX, raw)
        assert await no_ai.listed(store) == []
