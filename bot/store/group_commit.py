"""Group commit: the message path's writes of one process, queued and committed together in one transaction.

Why: under a burst every message makes small writes (its inbox row before the ack, its decision, its "sent"
marks). Each transaction costs a connection checkout, BEGIN, COMMIT and, on SQLite, a file-lock hand-over, and on
the async drivers each step waits a turn of a busy event loop. Concurrent callers' jobs are therefore taken
together by one writer task and run in one transaction: 30 messages arriving together cost one commit, not 30.
On SQLite this queue is also the process's one writer (its connections never poll the file lock against each
other); on PostgreSQL it keeps a burst from one customer from queueing on that customer's row lock, one
transaction after another.

Durability is unchanged: a caller's `run` returns only after the transaction holding its job has committed. If
the batch fails because of one job (a constraint, a bug), the others are not punished: each job is run again on its
own, so only the faulty one fails. A failure of the database itself (locked, down) fails every job of the batch at
once — running them again one by one would only wait the busy timeout once per job.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[AsyncSession], Awaitable[Any]]
Many = Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]]  # one statement for many callers' items
MAX_BATCH = 64  # jobs per transaction: bounds how long one commit makes the first caller wait


@dataclass(slots=True)
class _Entry:
    job: Job | None  # None: `item` is written by `many` together with the batch's other items of that kind
    done: asyncio.Future[Any]
    taken: bool = False
    many: Many | None = None
    item: Any = None


def _conflict(exc: BaseException) -> bool:
    """PostgreSQL gave up on the batch because of another replica's concurrent batch (deadlock, serialization): the
    same jobs succeed when run again."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")


def _job_specific(exc: BaseException) -> bool:
    """A failure one job caused (a constraint, a bug in the job), rather than the database's own (locked, down)."""
    if isinstance(exc, IntegrityError):
        return True
    return not isinstance(exc, (DBAPIError, OSError, StoreUnavailable))


def _retrieved(done: asyncio.Future[Any]) -> None:
    """Mark an outcome as seen even when its caller was cancelled (asyncio would log it as never retrieved)."""
    if not done.cancelled():
        done.exception()


@dataclass(slots=True)
class GroupCommit:
    sessions: async_sessionmaker[AsyncSession]
    max_batch: int = MAX_BATCH
    transactions: int = 0  # committed or failed batches, for tests and /metrics-style checks
    _queue: deque[_Entry] = field(default_factory=deque)
    _writer: asyncio.Task[None] | None = None

    async def run_many(self, many: Many, item: Any, wait: float | None = None) -> Any:
        """Like `run`, for writes of one kind that one statement makes for many callers (inbox rows, "sent" marks):
        `many(session, items)` gets this batch's items of that kind and returns one result per item, in order."""
        return await self._enqueue(_Entry(None, asyncio.get_running_loop().create_future(), many=many, item=item), wait)

    async def run(self, job: Callable[[AsyncSession], Awaitable[T]], wait: float | None = None) -> T:
        """Run `job` in the next batch's transaction and return its result once that transaction has committed.

        `wait` bounds how long the job may queue before the writer takes it (an event must be answered within
        Slack's 3 seconds, if only with a 503): past it, a job not yet taken is dropped and `StoreUnavailable` raised.
        Once taken, the caller waits for the commit, so an outcome is never unknown to it.
        """
        result: T = await self._enqueue(_Entry(job, asyncio.get_running_loop().create_future()), wait)
        return result

    async def _enqueue(self, entry: _Entry, wait: float | None) -> Any:
        entry.done.add_done_callback(_retrieved)
        self._queue.append(entry)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="frontdesk-group-commit")
        if wait is None:
            return await asyncio.shield(entry.done)
        try:
            return await asyncio.wait_for(asyncio.shield(entry.done), wait)
        except TimeoutError:
            if not entry.taken:
                self._queue.remove(entry)
                raise StoreUnavailable("the database is busy; try again") from None
            return await asyncio.shield(entry.done)

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let callers woken in the same loop turn join this batch
        while self._queue:
            batch: list[_Entry] = []
            while self._queue and len(batch) < self.max_batch:
                entry = self._queue.popleft()
                entry.taken = True
                batch.append(entry)
            await self._commit(batch)

    async def _commit(self, batch: list[_Entry], *, again: bool = True) -> None:
        try:
            results = await self._transaction(batch)
        except Exception as exc:  # noqa: BLE001 - handed to each caller below
            if again and _conflict(exc):
                log.info("a batch of %d writes met another replica's; running it again: %s", len(batch), type(exc).__name__)
                await self._commit(batch, again=False)
                return
            if len(batch) > 1 and _job_specific(exc):
                log.info("a batch of %d writes failed (%s); running each on its own", len(batch), type(exc).__name__)
                for entry in batch:
                    await self._commit([entry])
                return
            for entry in batch:
                if not entry.done.done():
                    entry.done.set_exception(exc)
            return
        for entry, result in zip(batch, results, strict=True):
            if not entry.done.done():
                entry.done.set_result(result)

    async def _transaction(self, batch: list[_Entry]) -> list[Any]:
        self.transactions += 1
        results: list[Any] = [None] * len(batch)
        kinds: dict[Many, list[int]] = {}
        async with self.sessions.begin() as session:
            for n, entry in enumerate(batch):
                if entry.job is not None:
                    results[n] = await entry.job(session)
                elif entry.many is not None:
                    kinds.setdefault(entry.many, []).append(n)
            for many, indexes in kinds.items():
                written = await many(session, [batch[n].item for n in indexes])
                for n, result in zip(indexes, written, strict=True):
                    results[n] = result
        return results
