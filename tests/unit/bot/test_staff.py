"""The staff roster: learns agents' display names, stores them, survives bad data and a failing store."""

from __future__ import annotations

import logging

from bot.orchestration import staff as staff_module
from bot.orchestration.staff import SETTING, StaffRoster
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore


class BrokenStore(MemoryStore):
    async def get_setting(self, key: str) -> str | None:
        raise OSError("database is gone")


async def test_names_are_learnt_once_and_stored_platform_neutrally() -> None:
    store = MemoryStore(ChannelDefaults())
    roster = StaffRoster(store)
    await roster.see("slack", "U1", "<@U1>", "Sarah Connor")  # a mention is not a name: the next one is used
    await roster.see("teams", "29:abc", "  Kyle   Reese ")
    await roster.see("web", "", "Nobody")  # no id: nothing to key it on
    assert roster.names() == {"Sarah Connor", "Kyle Reese"}
    again = StaffRoster(store)
    await again.load()
    assert again.names() == {"Sarah Connor", "Kyle Reese"} and again.knows("slack", "U1")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_unreadable_or_unreachable_rosters_start_empty() -> None:
    # Attached to the module's logger itself, re-enabled: another test's logging set-up (dictConfig) may have
    # disabled existing loggers or stopped them propagating to the root.
    log = staff_module.log
    records, disabled = _Records(), log.disabled
    log.addHandler(records)
    log.disabled = False
    try:
        await _unreadable_or_unreachable()
    finally:
        log.removeHandler(records)
        log.disabled = disabled
    assert any("staff roster" in m for m in records.messages)


async def _unreadable_or_unreachable() -> None:
    store = MemoryStore(ChannelDefaults())
    for raw in ("<html>502 Bad Gateway</html>", "[1, 2]", ""):
        await store.put_setting(SETTING, raw)
        roster = StaffRoster(store)
        await roster.load()
        assert roster.names() == frozenset()
    broken = StaffRoster(BrokenStore(ChannelDefaults()))
    await broken.load()
    await broken.see("slack", "U2", "Ellen Ripley")  # storing fails: still known in this process, never raised
    assert broken.names() == {"Ellen Ripley"}
