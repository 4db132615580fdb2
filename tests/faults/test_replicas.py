"""Replicas on one database, with real processes: migrations raced at start, and one thread's messages spread over
two servers on the real PostgreSQL (skipped when it is not reachable; a schema per test).

Replies must leave in the customer's order, one decision per message: the conversation lock across processes
(bot.store.conversation_lock) plus "earlier events first" (bot.orchestration.ordering). Both servers start at
once on an empty schema, so their migrations race too.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import SHARED, message_event
from tests.adapters.slack.fake_slack import FakeSlack
from tests.faults.harness import ROOT, Server, SlackSender, session, wait_for_replies
from tests.unit.store.conftest import create_pg_schema, drop_pg_schema

RACE = """
import asyncio, pathlib, sys, time
from bot.store.migrate import upgrade
go = pathlib.Path(sys.argv[2])
while not go.exists():  # every process is imported and waiting: they start the migration at the same moment
    time.sleep(0.005)
print(asyncio.run(upgrade(sys.argv[1])), flush=True)
"""


def race_migrations(url: str, go: Path, processes: int = 3) -> list[subprocess.CompletedProcess[str]]:
    """Start `processes` migrations of one empty database at the same instant; their results."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    running = [
        subprocess.Popen([sys.executable, "-c", RACE, url, str(go)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    go.touch()
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def assert_all_migrated(results: list[subprocess.CompletedProcess[str]]) -> None:
    from bot.store.migrate import head

    failed = [r.stderr.strip().splitlines()[-1:] for r in results if r.returncode != 0]
    assert failed == [], f"a replica failed to start: {failed}"
    assert [r.stdout.strip() for r in results] == [head()] * len(results)


def test_replicas_starting_together_on_an_empty_sqlite_file_all_start(tmp_path: Path) -> None:
    assert_all_migrated(race_migrations(f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}", tmp_path / "go"))


@pytest.mark.postgres
async def test_replicas_starting_together_on_an_empty_postgres_schema_all_start(tmp_path: Path) -> None:
    schema, url = await create_pg_schema()
    try:
        results = await asyncio.to_thread(race_migrations, url, tmp_path / "go")
    finally:
        await drop_pg_schema(schema)
    assert_all_migrated(results)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    schema, url = await create_pg_schema()
    yield url
    await drop_pg_schema(schema)


def answered_in_order(fake: FakeSlack, thread: str) -> list[str]:
    """The message id each reply in the thread answers (its outbox key "slack:<message id>:<n>"), in posting order."""
    keys = [str(((p.get("metadata") or {}).get("event_payload") or {}).get("key", "")) for p in fake.posts(SHARED)
            if p.get("thread_ts") == thread]
    return [key.removeprefix("slack:").rsplit(":", 1)[0] for key in keys]


@pytest.mark.postgres
async def test_two_servers_on_postgres_answer_each_event_once_and_one_thread_in_order(
    fake: FakeSlack, pg_url: str, tmp_path: Path
) -> None:
    from bot.store.sql import SqlStore
    from tests.faults.test_crash import assert_exactly_once, expected_cards, text

    servers = [Server(pg_url, fake.url, tmp_path), Server(pg_url, fake.url, tmp_path)]
    sender = SlackSender([s.url for s in servers])
    first = message_event("How do I reset my password? (0)")
    thread = first["event"]["ts"]
    envelopes = [first] + [
        message_event(f"{'where is my invoice' if n % 2 else 'How do I reset my password?'} ({n})", thread_ts=thread)
        for n in range(1, 16)
    ]
    try:
        await asyncio.gather(*(s.start() for s in servers))  # an empty schema: both migrate at start, in turn
        async with session() as http:
            # 1. The same events to both servers at once (a load balancer retrying): one reply each.
            for n in range(8):
                envelope = message_event(text(n, "pgdup"))
                sender.sent.append(envelope)
                both = await asyncio.gather(sender.send(http, envelope, 0, 0), sender.send(http, envelope, 0, 1))
                assert all(both)
            replies = await wait_for_replies(fake, sender.sent)
            assert_exactly_once(fake, replies, expected_cards(8))
            # 2. One thread, its messages alternating between the servers, sent one after the other without waiting
            # for replies; each post takes a while, so unlocked replies of the two processes would interleave.
            fake.latency = 0.15
            for n, envelope in enumerate(envelopes):
                assert await sender.send(http, envelope, 0, n % 2)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while loop.time() < deadline and len(answered_in_order(fake, thread)) < len(envelopes):
                await asyncio.sleep(0.2)
            await asyncio.sleep(2.0)  # a late duplicate would show
    finally:
        for server in servers:
            server.stop()
    sent = [f"{SHARED}:{e['event']['ts']}" for e in envelopes]
    answered = answered_in_order(fake, thread)
    assert Counter(answered) == Counter(sent), "every message of the thread answered exactly once"
    assert answered == sent, "replies in the order the customer wrote"
    store = SqlStore(pg_url)
    try:
        decided = Counter(d.message_id for d in await store.decisions())
    finally:
        await store.close()
    everything = sent + [f"{SHARED}:{e['event']['ts']}" for e in sender.sent]
    assert decided == Counter(everything), "one decision per message"
