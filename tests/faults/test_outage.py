"""PostgreSQL stopped for 20 s mid-traffic and started again: 0 lost (and 0 duplicated).

Messages arriving during the outage cannot be recorded, so they are answered 503 and Slack retries them; messages
recorded before it are decided, or delivered, once the database is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.faults.harness import Server, SlackSender, session, wait_for_replies
from tests.faults.postgres import Cluster
from tests.faults.test_crash import assert_exactly_once, expected_cards, text


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


async def test_postgres_stopped_for_20_seconds_loses_nothing(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> None:
    cluster = Cluster.create()
    cluster.start()
    server = Server(cluster.url, fake.url, Path(tmp_path_factory.mktemp("data")))
    sender = SlackSender([server.url])
    sending: list[asyncio.Task[None]] = []
    count = 0
    try:
        async with session() as http:
            await server.start()
            for second in range(30):  # 2 messages a second; the database is down from second 5 to second 25
                if second == 5:
                    await asyncio.to_thread(cluster.stop)
                if second == 25:
                    await asyncio.to_thread(cluster.start)
                for _ in range(2):
                    sending.append(asyncio.create_task(sender.deliver(http, text(count, "pg"))))
                    count += 1
                await asyncio.sleep(0.5 if second in (5, 25) else 1.0)
            await asyncio.gather(*sending)
            replies = await wait_for_replies(fake, sender.sent, timeout=60)
    finally:
        server.stop()
        cluster.destroy()
    assert sender.statuses["503"] > 0, "the outage must have refused some events"
    assert_exactly_once(fake, replies, expected_cards(count))
