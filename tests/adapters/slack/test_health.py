"""/healthz, /readyz and /metrics through the real server, with the database and Slack failing."""

from __future__ import annotations

from typing import Any

from bot.core.outbox import OutboxStats
from bot.store.memory import MemoryStore
from tests.adapters.slack.conftest import Slack, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import FakeSlack


class Unreachable(MemoryStore):
    down = False

    async def outbox_stats(self) -> OutboxStats:
        if self.down:
            raise OSError("connection refused")
        return await super().outbox_stats()


async def test_readyz_reports_the_database_and_slack_while_healthz_stays_alive(fake: FakeSlack, tmp_path: Any) -> None:
    store = Unreachable()
    slack, client = await start_slack(fake, make_settings(fake, tmp_path), make_config(), store)
    try:
        ready = await slack.http.get("/readyz")
        body = await ready.json()
        assert ready.status == 200 and body["checks"]["database"] == "ok" and body["checks"]["slack"] == "ok"
        assert body["checks"]["outbox"]["pending"] == 0
        store.down = True
        ready = await slack.http.get("/readyz")
        body = await ready.json()
        assert ready.status == 503 and body["checks"]["database"].startswith("unreachable")
        assert (await slack.http.get("/healthz")).status == 200  # alive: do not restart it for a database outage
    finally:
        await client.close()


async def test_readyz_is_not_ready_when_slack_does_not_answer(fake: FakeSlack, tmp_path: Any) -> None:
    fake.fault("auth.test", "html")
    slack, client = await start_slack(fake, make_settings(fake, tmp_path), make_config())
    try:
        slack.runtime._probed = (True, float("-inf"))  # bolt's own start-up auth.test may have used the fault
        fake.fault("auth.test", "html")
        ready = await slack.http.get("/readyz")
        assert ready.status == 503 and (await ready.json())["checks"]["slack"] == "unreachable"
    finally:
        await client.close()


async def test_metrics_count_events_decisions_deliveries_and_latencies(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    await slack.say("I want to talk to a human")
    text = await (await slack.http.get("/metrics")).text()
    assert "frontdesk_events_received_total 2.0" in text
    assert 'frontdesk_decisions_total{kind="answer",reason="answered"} 1.0' in text
    assert 'frontdesk_decisions_total{kind="escalate",reason="asked_for_human"} 1.0' in text
    assert 'frontdesk_outbox_deliveries_total{outcome="sent"} 3.0' in text  # two replies and one card
    assert "frontdesk_outbox_pending 0.0" in text
    assert "frontdesk_reply_latency_seconds_count 2.0" in text
    assert 'frontdesk_ack_latency_seconds_count{path="/slack/events"} 2.0' in text
