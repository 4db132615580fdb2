"""Crashes and contention, with real server processes: kill -9 at random points, two replicas, a locked SQLite.

Every customer message must end with exactly one reply in its thread, and every handoff with exactly one card:
0 lost, 0 duplicated, counted over all messages (Slack's own retries of unacknowledged events included).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.faults.harness import Server, SlackSender, cards, replies_per_message, session, wait_for_replies

TEXTS = ("How do I reset my password?", "where is my invoice", "can I talk to a human please", "my flux capacitor hums")
ESCALATING = (2, 3)  # indexes in TEXTS that end in a handoff (a card)


def text(n: int, tag: str) -> str:
    return f"{TEXTS[n % len(TEXTS)]} ({tag}-{n})"


def expected_cards(count: int) -> int:
    return sum(1 for n in range(count) if n % len(TEXTS) in ESCALATING)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


def assert_exactly_once(fake: FakeSlack, replies: dict[str, int], handoffs: int) -> None:
    lost = [ts for ts, n in replies.items() if n == 0]
    doubled = [ts for ts, n in replies.items() if n > 1]
    assert (len(lost), len(doubled)) == (0, 0), f"lost {lost}, answered twice {doubled}"
    posted = cards(fake)
    assert all(n == 1 for n in posted.values()), f"cards posted twice: {posted}"
    assert len(posted) == handoffs


async def test_kill_9_at_random_points_loses_nothing_and_answers_nothing_twice(fake: FakeSlack, tmp_path: Path) -> None:
    fake.latency = 0.3  # Slack takes its time: the window between ack, post and "sent" mark is wide
    rng = random.Random(20261207)
    server = Server(f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}", fake.url, tmp_path)
    sender = SlackSender([server.url])
    bursts: list[asyncio.Task[None]] = []
    count = 0
    in_flight_at_kill = 0  # acknowledged but not yet answered when the process died: left for the next process
    async with session() as http:
        try:
            for round_ in range(3):
                await server.start()
                for _ in range(20):
                    bursts.append(asyncio.create_task(sender.deliver(http, text(count, f"r{round_}"))))
                    count += 1
                await asyncio.sleep(rng.uniform(0.1, 0.5))
                server.kill9()
                answered = {ts for ts, n in replies_per_message(fake, sender.sent).items() if n}
                in_flight_at_kill += len(sender.acked - answered)
            await server.start()
            await asyncio.gather(*bursts)
            replies = await wait_for_replies(fake, sender.sent)
        finally:
            server.stop()
    assert len(sender.sent) == count == 60
    assert in_flight_at_kill > 0, f"the kills must hit acknowledged, unanswered messages ({sender.statuses})"
    assert_exactly_once(fake, replies, expected_cards(count))


async def test_two_replicas_receiving_the_same_events_answer_each_once(fake: FakeSlack, tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    first, second = Server(database, fake.url, tmp_path), Server(database, fake.url, tmp_path)
    sender = SlackSender([first.url, second.url])
    async with session() as http:
        try:
            await asyncio.gather(first.start(), second.start())  # at once: the migrations take turns
            from tests.adapters.slack.conftest import message_event

            for n in range(12):
                envelope = message_event(text(n, "dup"))
                sender.sent.append(envelope)
                both = await asyncio.gather(sender.send(http, envelope, 0, 0), sender.send(http, envelope, 0, 1))
                assert all(both)
            replies = await wait_for_replies(fake, sender.sent)
        finally:
            first.stop()
            second.stop()
    assert_exactly_once(fake, replies, expected_cards(12))


async def test_a_locked_sqlite_database_is_waited_out_not_dropped(fake: FakeSlack, tmp_path: Path) -> None:
    path = tmp_path / "fd.db"
    server = Server(f"sqlite+aiosqlite:///{path}", fake.url, tmp_path)
    sender = SlackSender([server.url])
    async with session() as http:
        try:
            await server.start()
            lock = sqlite3.connect(path, timeout=1, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")  # another process holds the write lock longer than the busy timeout
            burst = [asyncio.create_task(sender.deliver(http, text(n, "locked"))) for n in range(6)]
            await asyncio.sleep(7.0)
            lock.execute("ROLLBACK")
            lock.close()
            await asyncio.gather(*burst)
            replies = await wait_for_replies(fake, sender.sent)
        finally:
            server.stop()
    assert sender.statuses["503"] > 0, "the lock must have refused some writes"
    assert_exactly_once(fake, replies, expected_cards(6))
