"""Database transactions per customer message on the hot path, counted through the real entry point.

Signed events go to `POST /slack/events` of the real server on a SQLite file; a SQLAlchemy listener on the store's
engine counts every transaction (committed = a write, rolled back = a read). The issue's budget is two per message:
one read (the conversation) and one write (the decision with its outbox). Two more are the price of durability and
are justified here: the inbox row must be committed *before* Slack is acknowledged (a separate, earlier write), and
"sent" can only be written after the post. Under a burst those two are shared by concurrent messages (group commit),
so the total stays within the budget of two; a lone message pays them alone. Counts, never timings.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from adapters.server import build_web_app
from adapters.slack import SLACK_KEY
from bot.bootstrap import bootstrap, channel_defaults
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.adapters.slack.conftest import (
    AGENTS,
    SHARED,
    FakeAnswerer,
    Slack,
    make_config,
    make_settings,
    message_event,
)
from tests.adapters.slack.fake_slack import FakeSlack


class Transactions:
    """Counts the store engine's transactions and statements while `counting` is on."""

    def __init__(self, store: SqlStore) -> None:
        self.counts: Counter[str] = Counter()
        self.counting = False
        engine = store.engine.sync_engine
        event.listen(engine, "commit", lambda _conn: self._add("write"))
        event.listen(engine, "rollback", lambda _conn: self._add("read"))
        event.listen(engine, "before_cursor_execute", self._statement)

    def _add(self, kind: str) -> None:
        if self.counting:
            self.counts[kind] += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.counting:
            self.counts["statements"] += 1
            if "FROM settings" in statement:
                self.counts["settings reads"] += 1

    @property
    def total(self) -> int:
        return self.counts["write"] + self.counts["read"]


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[Slack, Transactions]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}"
    settings, config = make_settings(fake, tmp_path, database_url=url), make_config()
    await upgrade(url)
    store = SqlStore(url, channel_defaults(config, settings))
    app = await bootstrap(
        settings, config=config, store=store, answerer=FakeAnswerer(), kb_languages=frozenset({"en"}), migrate=False
    )
    # No background outbox worker or inbox sweep: their polling is not per-message work, and would blur the count.
    web_app = build_web_app(app, maintenance_interval=0, pipeline=None)
    client = TestClient(TestServer(web_app))
    await client.start_server()
    counter = Transactions(store)
    slack = Slack(client, fake, app, web_app[SLACK_KEY])
    # Warm the per-process caches a running server has (channel policy, VIP, card route, the customer's row).
    await slack.say("How do I reset my password? (warm-up)")
    await slack.say("can I talk to a human please (warm-up)")
    yield slack, counter
    await client.close()


async def test_a_lone_message_is_one_read_and_three_writes_each_with_its_reason(
    slack: tuple[Slack, Transactions],
) -> None:
    bot, tx = slack
    tx.counting = True
    await bot.say("How do I reset my password?")
    answered = dict(tx.counts)
    tx.counts.clear()
    await bot.say("can I talk to a human please")  # a reply and a card: their outcomes are still one write
    handed_off = dict(tx.counts)
    tx.counting = False
    for counts in (answered, handed_off):
        # read: the conversation; writes: the inbox row (before the ack), the decision with its outbox, the outcomes
        assert counts.get("read") == 1, counts
        assert counts.get("write") == 3, counts
        assert counts.get("settings reads", 0) == 0, counts  # "no AI answers" and the card's route are cached
    assert len(bot.fake.posts(AGENTS)) == 2  # the warm-up's card and this one


async def test_a_burst_costs_at_most_two_transactions_per_message(slack: tuple[Slack, Transactions]) -> None:
    bot, tx = slack
    texts = ("How do I reset my password?", "where is my invoice", "can I talk to a human please")
    envelopes = [message_event(f"{texts[n % 3]} (burst {n})") for n in range(24)]
    tx.counting = True
    responses = await asyncio.gather(*(bot.event(e, settle=False) for e in envelopes))
    await bot.settle()
    tx.counting = False
    assert [r.status for r in responses] == [200] * len(envelopes)
    answered = Counter(p.get("thread_ts") for p in bot.fake.posts(SHARED))
    assert all(answered[e["event"]["ts"]] == 1 for e in envelopes), "every message answered exactly once"
    per_message = tx.total / len(envelopes)
    assert tx.counts["read"] <= len(envelopes), tx.counts  # one read each (the conversation), none for settings
    assert per_message <= 2.0, f"{per_message:.2f} transactions per message: {dict(tx.counts)}"
