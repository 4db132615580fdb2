"""One conversation at a time across replicas: a PostgreSQL transaction-level advisory lock per conversation key.

`bot.orchestration.locks.Locks` takes this lock (after its own in-process one) around a message's load → decide →
record → first delivery and around each agent action, so two `frontdesk serve` processes never work on one
conversation at once. Why an advisory lock rather than `SELECT … FOR UPDATE` on the conversation row: a new
conversation has no row to lock yet (the first two messages of a thread would both pass), and the lock must cover
work done outside any one store transaction (the engine's decision, the first send). Transaction-scoped
(`pg_advisory_xact_lock`) so that whatever happens - an exception, a cancelled task, a dropped connection - ending
the transaction releases it; a session-level lock left on a pooled connection would outlive its holder.

The lock connections come from their own small pool, sized to the decisions a process runs at once, so a burst
holding locks can never starve the store's own pool (the deadlock that kept this out before; docs/decisions.md).
SQLite is one process: the in-process lock is all it needs, and `for_store` returns None there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

NAMESPACE = 0x46_44_43_56  # "FDCV": the first key of the two-key form (the scheduler and migrations use one key)
WAIT = "60s"  # a lock wait longer than this fails the attempt (the event stays pending and is retried)


def lock_key(conversation: str) -> int:
    """A signed 32-bit key for the conversation; a rare collision only makes two conversations take turns."""
    digest = hashlib.blake2b(conversation.encode("utf-8", "replace"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryConversationLock:
    """`SharedLock` on PostgreSQL (see the module's docstring)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def on(cls, store_engine: AsyncEngine, size: int) -> AdvisoryConversationLock:
        """A lock pool of `size` connections (and as many more under a spike) to the store's database."""
        engine = create_async_engine(
            store_engine.url,
            pool_size=size,
            max_overflow=size,
            pool_pre_ping=True,
            connect_args=_lock_timeout(store_engine.url),
        )
        return cls(engine)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self.engine.connect() as connection:
            transaction = await connection.begin()
            try:
                await connection.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": NAMESPACE, "key": lock_key(key)})
            except BaseException:
                await _end(transaction.rollback())
                raise
            try:
                yield
            finally:
                await _end(transaction.rollback())  # nothing was written here: ending the transaction unlocks

    async def close(self) -> None:
        await self.engine.dispose()


async def _end(ending: object) -> None:
    """End the lock's transaction; if the connection is gone the server has already released the lock."""
    try:
        await ending  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 - the work under the lock is done (or failed on its own); never mask it
        log.warning("releasing a conversation lock failed (the database releases it with the connection): %s", exc)


def _lock_timeout(url: URL) -> dict[str, object]:
    """`lock_timeout` for the lock connections only, set when they connect (no extra round trip per message)."""
    if url.get_driver_name() == "asyncpg":
        return {"server_settings": {"lock_timeout": WAIT}}
    given = url.query.get("options", "")  # libpq options in the URL (e.g. a search_path) are kept
    given = given if isinstance(given, str) else " ".join(given)
    return {"options": f"{given} -c lock_timeout={WAIT}".strip()}


def for_store(store: object, size: int) -> AdvisoryConversationLock | None:
    """The shared lock for a store on PostgreSQL; None for SQLite and in-memory stores (one process)."""
    engine = getattr(store, "engine", None)
    if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql":
        return AdvisoryConversationLock.on(engine, size)
    return None
