"""The scheduler runner: one leader per database, jobs persisted in it, due jobs fired through APScheduler itself.

No test waits for a real schedule: a job is made due by moving its stored next run time, and the test awaits the
runner's queue of finished runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import SCHEDULER_KEY, build_web_app
from bot.store.leader import AdvisoryLock, FileLock, leader_lock
from scheduler.config import SchedulerConfig
from scheduler.context import JobContext
from scheduler.runner import SchedulerRunner
from tests.history import History, fill_week, open_history
from tests.unit.store.conftest import create_pg_schema, drop_pg_schema

SCHEDULE = """
[scheduler]
enabled = true
timezone = "Europe/Berlin"

[teams.support]
lead = "U_SUPPORT_LEAD"

[teams.billing]

[digest]
enabled = true
day = "mon"
time = "09:00"
recipients = { billing = "C_BILLING_LEADS" }
"""


@pytest.fixture
async def history(tmp_path: Path) -> History:
    h, _ = await open_history(tmp_path, extra_config=SCHEDULE)
    await fill_week(h)
    return h


def runner_for(h: History) -> SchedulerRunner:
    return SchedulerRunner(JobContext.of(h.app, h.clock), h.app.settings.resolved_database_url, retry_seconds=3600)


async def finished(runner: SchedulerRunner) -> tuple[str, str]:
    return await asyncio.wait_for(runner.done.get(), timeout=30)


async def test_only_one_replica_leads_and_another_takes_over(history: History) -> None:
    first, second = runner_for(history), runner_for(history)
    try:
        assert await first.tick() is True
        assert await second.tick() is False
        assert second.next_runs() == {}
        await first.stop()
        assert await second.tick() is True
    finally:
        await first.stop()
        await second.stop()
        await history.app.close()


async def test_enabled_jobs_are_stored_for_next_monday_in_the_configured_zone(history: History) -> None:
    runner = runner_for(history)
    try:
        await runner.tick()
        runs = runner.next_runs()
        assert set(runs) == {"digest", "csat"}  # QA is not enabled; asking AI conversations for CSAT is by default
        when = runs["digest"].astimezone(ZoneInfo("Europe/Berlin"))
        assert (when.weekday(), when.hour, when.minute) == (0, 9, 0)
        assert timedelta(0) < when - datetime.now(UTC) <= timedelta(days=7)
    finally:
        await runner.stop()
    again = runner_for(history)  # a restart finds the job in the database, untouched
    try:
        await again.tick()
        assert again.next_runs() == runs
    finally:
        await again.stop()
    moved = SchedulerRunner(replace(JobContext.of(history.app, history.clock), scheduler=SchedulerConfig(timezone="Asia/Tokyo")),
                            history.app.settings.resolved_database_url, retry_seconds=3600)
    try:  # a new time zone in the config moves the stored job
        await moved.tick()
        tokyo = moved.next_runs()["digest"].astimezone(ZoneInfo("Asia/Tokyo"))
        assert (tokyo.weekday(), tokyo.hour, tokyo.minute) == (0, 9, 0) and tokyo != runs["digest"]
    finally:
        await moved.stop()
        await history.app.close()


async def test_daily_and_monthly_jobs_get_their_own_schedules(tmp_path: Path) -> None:
    extra = SCHEDULE.replace('recipients = { billing = "C_BILLING_LEADS" }',
                             'recipients = { billing = "C_BILLING_LEADS" }\ndaily = true')
    extra += '\n[qa]\nenabled = true\nchannel = "C_QA"\nlegal_channel = "C_LEGAL"\ntime = "10:30"\n'
    h, _ = await open_history(tmp_path, extra_config=extra)
    runner = runner_for(h)
    try:
        await runner.tick()
        runs = {name: when.astimezone(ZoneInfo("Europe/Berlin")) for name, when in runner.next_runs().items()}
    finally:
        await runner.stop()
        await h.app.close()
    assert set(runs) == {"digest", "failures", "qa", "legal", "csat"}
    assert (runs["failures"].hour, runs["failures"].minute) == (9, 0)
    assert runs["failures"] - datetime.now(UTC) <= timedelta(days=1)
    assert (runs["qa"].weekday(), runs["qa"].hour, runs["qa"].minute) == (0, 10, 30)
    assert (runs["legal"].day, runs["legal"].hour, runs["legal"].minute) == (1, 10, 30)


async def test_a_due_job_runs_through_apscheduler_and_sends_to_each_lead(history: History) -> None:
    runner = runner_for(history)
    try:
        await runner.tick()
        assert runner.scheduler is not None
        runner.scheduler.modify_job("digest", next_run_time=datetime.now(UTC))
        runner.scheduler.wakeup()
        name, outcome = await finished(runner)
    finally:
        await runner.stop()
    assert name == "digest"
    assert outcome == "Sent the weekly digest to <#C_BILLING_LEADS> (billing), <@U_SUPPORT_LEAD> (support)."
    targets = [address.channel for address, _ in history.outbox.sent if address.thread is None]
    assert targets == ["C_BILLING_LEADS", "U_SUPPORT_LEAD"]
    assert (await history.app.store.get_setting("scheduler.last_run.digest") or "").endswith(outcome)
    await history.app.close()


async def test_a_run_missed_while_no_replica_was_up_runs_at_the_next_start(history: History) -> None:
    runner = runner_for(history)
    await runner.tick()
    assert runner.scheduler is not None
    runner.scheduler.pause()  # nothing may fire in this replica: it is about to "die"
    runner.scheduler.modify_job("digest", next_run_time=datetime.now(UTC) - timedelta(minutes=20))
    await runner.stop()
    assert history.outbox.sent == [] or all(a.thread for a, _ in history.outbox.sent)
    successor = runner_for(history)
    try:
        await successor.tick()
        name, outcome = await finished(successor)
    finally:
        await successor.stop()
        await history.app.close()
    assert name == "digest" and outcome.startswith("Sent the weekly digest")


async def test_the_server_runs_the_scheduler_when_enabled(history: History) -> None:
    web_app = build_web_app(history.app, maintenance_interval=0)
    client = TestClient(TestServer(web_app))
    await client.start_server()
    runner = web_app[SCHEDULER_KEY]
    assert runner.leading and set(runner.next_runs()) == {"digest", "csat"}
    lock = leader_lock(history.app.settings.resolved_database_url)
    assert isinstance(lock, FileLock) and await lock.acquire() is False
    await client.close()  # clean shutdown releases leadership
    assert runner.leading is False
    assert await lock.acquire() is True
    await lock.release()


async def test_the_file_lock_is_exclusive_between_holders(tmp_path: Path) -> None:
    one, two = FileLock(tmp_path / "db.lock"), FileLock(tmp_path / "db.lock")
    assert await one.acquire() and await one.acquire()  # re-entrant for its holder
    assert not await two.acquire()
    await one.release()
    assert await two.acquire() and await two.held()
    await two.release()
    assert not await two.held()


@pytest.mark.postgres
async def test_postgres_advisory_lock_has_one_holder_and_is_freed_by_a_dropped_connection() -> None:
    schema, url = await create_pg_schema()
    one, two = AdvisoryLock(url, lock_id=0x7E57_0001), AdvisoryLock(url, lock_id=0x7E57_0001)
    try:
        assert isinstance(leader_lock(url), AdvisoryLock)
        assert await one.acquire() is True
        assert await two.acquire() is False
        assert await one.held()
        assert one._conn is not None
        await one._conn.invalidate()  # the leader's connection dies: the database frees the lock
        assert await one.held() is False
        assert await two.acquire() is True
    finally:
        await one.release()
        await two.release()
        await drop_pg_schema(schema)
