"""Runs the registry's jobs on schedule: APScheduler's AsyncIOScheduler, job state in the same database, one leader.

Every replica runs a `SchedulerRunner`; only the holder of the leader lock (`bot.store.leader`: a PostgreSQL
advisory lock, a file lock for SQLite) starts the APScheduler instance, and the others retry every
`retry_seconds`, so when the leader dies another replica takes over. Jobs live in APScheduler's SQLAlchemyJobStore
on the Frontdesk database, so a job that fell due while no replica was up still runs when one starts (within
`[scheduler] misfire_grace_minutes`, coalesced to one run).

A stored job can only name a module-level function, not our runner object, so each job is stored as
``scheduler.runner:fire(<name>)``; the executor puts the runner into a context variable around every submission
(asyncio tasks copy the context they are created in), and `fire` reads it. No module-level state is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextvars import ContextVar
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.errors import FrontdeskError, NotFound
from bot.store.leader import LeaderLock, leader_lock
from bot.store.urls import sync_url
from scheduler.context import JobContext
from scheduler.jobs import JobSpec, registry

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
LAST_RUN_KEY = "scheduler.last_run."
DONE_KEPT = 20
_current: ContextVar[SchedulerRunner | None] = ContextVar("frontdesk_scheduler_runner", default=None)


async def fire(name: str) -> None:
    """What the job store stores: run job `name` on the runner that submitted it."""
    runner = _current.get()
    if runner is None:
        raise RuntimeError(f"scheduled job {name!r} fired outside a SchedulerRunner")
    await runner.run(name)


class _RunnerExecutor(AsyncIOExecutor):  # type: ignore[misc]
    def __init__(self, runner: SchedulerRunner) -> None:
        super().__init__()
        self._runner = runner

    def _do_submit_job(self, job: Any, run_times: Any) -> None:
        token = _current.set(self._runner)
        try:
            super()._do_submit_job(job, run_times)
        finally:
            _current.reset(token)


def trigger(spec: JobSpec, timezone: str) -> CronTrigger:
    return CronTrigger(timezone=timezone, **spec.cron_fields())


class SchedulerRunner:
    def __init__(
        self, ctx: JobContext, url: str, *, lock: LeaderLock | None = None, retry_seconds: float = 30.0
    ) -> None:
        self.ctx = ctx
        self.url = url
        self.lock = lock or leader_lock(url)
        self.retry_seconds = retry_seconds
        self.specs = registry(ctx)
        self.scheduler: AsyncIOScheduler | None = None
        # (job, outcome) of recent finished runs, for tests and status; bounded so a long-running server never grows it.
        self.done: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=DONE_KEPT)
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def scheduled(self) -> list[JobSpec]:
        return [spec for spec in self.specs.values() if spec.scheduled]

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Contend for leadership now and then every `retry_seconds` in the background."""
        await self.tick()
        self._task = asyncio.create_task(self._contend(), name="frontdesk-scheduler")

    async def _contend(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler leadership check failed; retrying in %.0f s", self.retry_seconds)

    async def tick(self) -> bool:
        """One leadership step: take the lock and start jobs, or notice the lock was lost and stop. Returns leading."""
        if self.scheduler is None:
            if await self.lock.acquire():
                self._start_scheduler()
                log.info("scheduler: this replica leads (%s)", ", ".join(s.name for s in self.scheduled()) or "no jobs")
        elif not await self.lock.held():
            self._stop_scheduler()
        return self.leading

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._stop_scheduler()
        await self.lock.release()

    def _start_scheduler(self) -> None:
        grace = self.ctx.scheduler.misfire_grace_minutes * 60
        scheduler = AsyncIOScheduler(
            timezone=self.ctx.scheduler.timezone,
            jobstores={"default": SQLAlchemyJobStore(url=sync_url(self.url), tablename=JOBS_TABLE)},
            executors={"default": _RunnerExecutor(self)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )
        scheduler.start(paused=True)
        self._reconcile(scheduler)
        scheduler.resume()
        self.scheduler = scheduler

    def _reconcile(self, scheduler: AsyncIOScheduler) -> None:
        """Make the stored jobs match the config, keeping a stored job whose schedule did not change (so a run that
        fell due while no replica was up is not lost by re-adding it)."""
        wanted = {spec.name: spec for spec in self.scheduled()}
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for name, spec in wanted.items():
            cron = trigger(spec, self.ctx.scheduler.timezone)
            stored = scheduler.get_job(name)
            # repr, not str: a trigger's str leaves out its time zone, and a changed zone must move the job.
            same = stored is not None and repr(stored.trigger) == repr(cron) and stored.args == (name,)
            if same and stored.misfire_grace_time == self.ctx.scheduler.misfire_grace_minutes * 60:
                continue
            scheduler.add_job(fire, cron, args=[name], id=name, name=spec.description, replace_existing=True)

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            log.info("scheduler: this replica no longer leads")

    # -- running --------------------------------------------------------------------------------------------------

    async def run(self, name: str) -> str:
        """Run one job now (what a due schedule does); its outcome is logged and remembered in the store."""
        spec = self.specs.get(name)
        if spec is None:
            raise NotFound(f"no scheduled job {name!r}; jobs: {', '.join(self.specs)}")
        try:
            outcome = await spec.run(self.ctx)
        except FrontdeskError as exc:
            outcome = f"failed: {exc}"
            log.error("scheduled job %s %s", name, outcome)
        except Exception as exc:
            outcome = f"failed: {exc.__class__.__name__}"
            log.exception("scheduled job %s failed", name)
        else:
            log.info("scheduled job %s: %s", name, outcome)
        await self.ctx.store.put_setting(LAST_RUN_KEY + name, f"{self.ctx.clock().isoformat()} {outcome}"[:2000])
        if self.done.full():
            self.done.get_nowait()
        self.done.put_nowait((name, outcome))
        return outcome

    def next_runs(self) -> dict[str, Any]:
        """Each scheduled job's next run time (while leading), for status pages and tests."""
        if self.scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
