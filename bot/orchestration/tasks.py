"""Background tasks for work done after a platform has been acknowledged (Slack wants an answer within 3 seconds,
the Bot Framework within 15).

Tasks are held (asyncio keeps only weak references) and drained on shutdown, so a reply already decided is not
dropped by a clean stop; tests drain them to wait for the bot to finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str = "frontdesk") -> asyncio.Task[Any]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for every task, including ones spawned while waiting (a handoff spawning a card update)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                log.warning("%d background task(s) still running at shutdown", len(self._tasks))
                return
            await asyncio.wait(set(self._tasks), timeout=left)
