"""Per-conversation locks shared by the dispatcher and the desk: in this process, and across replicas.

In one process an asyncio lock per conversation serialises the work (SQLite is one process, so that is all it
needs). With several `frontdesk serve` processes on PostgreSQL a `SharedLock` is held as well
(`bot.store.conversation_lock`: a transaction-level advisory lock), taken *after* the in-process lock so a process
never ties up more than one database connection per conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class SharedLock(Protocol):
    """A lock per conversation key that every replica of one deployment sees."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...

    async def close(self) -> None: ...


class Locks:
    """Per-conversation locks (one process), plus the `shared` lock across replicas when there is one.

    A lock lives only while someone holds or waits for it, so a long-running server does not keep one per
    conversation it ever saw. Not re-entrant: nothing holding a conversation's lock may ask for it again.
    """

    def __init__(self, shared: SharedLock | None = None) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self.shared = shared

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                if self.shared is None:
                    yield
                else:
                    async with self.shared.hold(key):
                        yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
