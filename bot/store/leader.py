"""Leader election for scheduled jobs: several replicas run the scheduler, only the lock holder fires jobs.

PostgreSQL: a session-level advisory lock held on one dedicated connection; it is released when that connection
closes, so a replica that dies (or loses its connection) hands leadership to the next one to ask. SQLite is one
machine: an exclusive `flock` on a file next to the database does the same between processes (and between two
schedulers in one process, since each opens the file itself).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.engine import make_engine
from bot.store.urls import async_url, sqlite_path

log = logging.getLogger(__name__)

SCHEDULER_LOCK_ID = 0x46_44_53_43  # "FDSC"; migrations use "FDMI"


class LeaderLock(Protocol):
    async def acquire(self) -> bool:
        """Try once, without waiting; True when this process now leads (or already did)."""
        ...

    async def held(self) -> bool:
        """Still the leader? False once the lock was lost (e.g. the database connection dropped)."""
        ...

    async def release(self) -> None: ...


class AdvisoryLock:
    def __init__(self, url: str, lock_id: int = SCHEDULER_LOCK_ID) -> None:
        self.engine = make_engine(url)
        self.lock_id = lock_id
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._conn is not None:
            return await self.held()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # never idle in a transaction
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": self.lock_id}))
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def held(self) -> bool:
        if self._conn is None:
            return False
        try:
            await self._conn.scalar(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - a dead connection means the database already released the lock
            log.warning("lost the scheduler lock's database connection; another replica may lead now")
            with contextlib.suppress(Exception):
                await self._conn.invalidate()
            self._conn = None
            return False
        return True

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.scalar(text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id})
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        await self.engine.dispose()


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class AlwaysLeader:
    """In-memory SQLite lives in one process: there is nobody to compete with."""

    def __init__(self) -> None:
        self._held = False

    async def acquire(self) -> bool:
        self._held = True
        return True

    async def held(self) -> bool:
        return self._held

    async def release(self) -> None:
        self._held = False


def leader_lock(url: str) -> LeaderLock:
    """The right lock for the database at `url`."""
    if async_url(url).get_backend_name() == "postgresql":
        return AdvisoryLock(url)
    path = sqlite_path(url)
    return AlwaysLeader() if path is None else FileLock(path.with_name(path.name + ".scheduler.lock"))
