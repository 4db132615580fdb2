"""Faults injected at the Slack edges, through the real entry point: every accepted message ends in exactly one reply
(and, for a handoff, exactly one card), never silence and never twice.

The Web API fake fails calls with 500s, HTML and empty bodies, broken JSON, 429 with Retry-After, ok:false errors,
timeouts and "lost" answers (the post is made but its answer never arrives); the store refuses writes; the engine
raises. Counts are asserted, not sampled.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from typing import Any

import pytest

from bot.core.outbox import OutboxStats
from bot.core.types import Answer, Inbound, Question
from bot.orchestration.delivery import Backoff
from bot.store.memory import MemoryStore
from tests.adapters.slack.conftest import (
    ADMIN,
    AGENTS,
    BILLING,
    SHARED,
    Slack,
    make_config,
    make_settings,
    message_event,
    start_slack,
)
from tests.adapters.slack.fake_slack import FakeSlack

FAULTS = ("500", "html", "empty", "badjson", "429", "ok_false", "timeout", "lost")


@pytest.fixture(autouse=True)
def quick_timeouts(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack) -> None:
    monkeypatch.setattr("adapters.slack.runtime.TIMEOUT", 0.5)
    fake.hang = 1.0


def fast_retries(slack: Slack) -> None:
    slack.app.dispatcher.outbox.backoff = Backoff(base=0.05, cap=0.5, attempts=12)


async def drain_outbox(slack: Slack, timeout: float = 40.0) -> OutboxStats:
    """Run the outbox worker until nothing is pending (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    await slack.settle()
    while loop.time() < deadline:
        stats = await slack.app.store.outbox_stats()
        if stats.pending == 0 and stats.inbox_pending == 0:
            return stats
        await slack.app.dispatcher.outbox.run_once()
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not drained: {await slack.app.store.outbox_stats()}")


def thread_replies(fake: FakeSlack, ts: str) -> list[dict[str, Any]]:
    return [p for p in fake.posts(SHARED) if p.get("thread_ts") == ts]


def card_keys(fake: FakeSlack) -> Counter[str]:
    return Counter(
        str((p.get("metadata") or {}).get("event_payload", {}).get("key"))
        for channel in (AGENTS, BILLING)
        for p in fake.posts(channel)
        if str((p.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith("card:")
    )


async def test_web_api_faults_for_a_while_lose_nothing_and_duplicate_nothing(slack: Slack) -> None:
    fast_retries(slack)
    rng = random.Random(18)
    plan = [rng.choice(FAULTS) for _ in range(24)]
    slack.fake.fault("chat.postMessage", *plan)
    slack.fake.fault("chat.getPermalink", "html", "badjson", "empty")
    texts = ["How do I reset my password?", "where is my invoice", "can I talk to a human please", "SAP Ariba?"]
    sent = []
    for n in range(16):
        envelope = message_event(texts[n % len(texts)])
        response = await slack.event(envelope, settle=False)
        assert response.status == 200
        sent.append(envelope["event"]["ts"])
    stats = await drain_outbox(slack)
    assert stats.failed == 0
    replies = {ts: len(thread_replies(slack.fake, ts)) for ts in sent}
    assert replies == dict.fromkeys(sent, 1), "each message gets exactly one reply in its thread"
    tickets = await slack.app.store.tickets()
    assert len(tickets) == 8  # the human requests and the questions outside the knowledge base
    cards = card_keys(slack.fake)
    assert cards == Counter({f"card:{t.id}": 1 for t in tickets}), "each handoff has exactly one card"
    assert all(t.card_ref for t in tickets)
    assert not slack.fake.faults.get("chat.postMessage"), "every planned fault was met"
    delivery = slack.app.dispatcher.outbox.stats
    assert delivery.retried >= len(plan) - plan.count("429")  # a 429 may be absorbed by the client's own wait
    assert delivery.deduplicated == plan.count("lost") > 0  # posted, answer lost: found by its key, not re-posted


async def test_a_team_channel_that_keeps_refusing_sends_the_card_to_the_default_channel_and_tells_admins(
    slack: Slack,
) -> None:
    fast_retries(slack)
    await slack.command("route support <#CSUPPORT1|support>")
    slack.fake.fault("chat.postMessage@CSUPPORT1", "channel_not_found")  # permanent: retrying cannot help
    envelope = message_event("My quantum flux capacitor is humming")  # nothing in the KB: a support handoff
    await slack.event(envelope)
    await drain_outbox(slack)
    [ticket] = await slack.app.store.tickets()
    assert slack.fake.posts("CSUPPORT1") == []
    fallback = slack.fake.posts(AGENTS)
    assert len(fallback) == 1 and "could not be posted" in json.dumps(fallback[0]["blocks"])
    assert ticket.card_ref.startswith(f"{AGENTS}:")
    dms = slack.fake.posts(ADMIN)
    assert len(dms) == 1 and "could not be posted" in dms[0]["text"]
    assert len(thread_replies(slack.fake, envelope["event"]["ts"])) == 1  # the customer was told once


async def test_a_non_json_permalink_error_does_not_fail_the_card(slack: Slack) -> None:
    slack.fake.fault("chat.getPermalink", "badjson")
    await slack.say("I want to talk to a human")
    [card] = slack.fake.posts(AGENTS)
    assert card["metadata"]["event_payload"]["key"].startswith("card:")
    assert (await slack.app.store.outbox_stats()).pending == 0


class Flaky(MemoryStore):
    """A store whose writes fail while `down` (the database stopped or read-only)."""

    down = False

    async def accept(self, inbound: Inbound) -> bool:
        if self.down:
            raise OSError("could not connect to server: Connection refused")
        return await super().accept(inbound)


async def test_an_event_that_cannot_be_recorded_gets_503_and_slacks_retry_is_answered(
    fake: FakeSlack, tmp_path: Any
) -> None:
    config = make_config()
    store = Flaky()
    slack, client = await start_slack(fake, make_settings(fake, tmp_path), config, store)
    try:
        store.down = True
        envelope = message_event("How do I reset my password?")
        response = await slack.event(envelope)
        assert response.status == 503
        assert "Traceback" not in await response.text()
        assert fake.posts(SHARED) == []
        store.down = False
        retry = await slack.event(envelope, retry=1)
        assert retry.status == 200
        assert len(thread_replies(fake, envelope["event"]["ts"])) == 1
        again = await slack.event(envelope, retry=2)  # a later retry of a recorded event: acknowledged, not re-answered
        assert again.status == 200 and len(thread_replies(fake, envelope["event"]["ts"])) == 1
    finally:
        await client.close()


class Exploding:
    """An answerer that fails like a provider outage or a tokenizer bug."""

    async def answer(self, question: Question) -> Answer:
        raise RuntimeError("LLM provider returned 502")


async def test_an_exception_while_deciding_becomes_a_handoff_with_a_readable_reason(slack: Slack) -> None:
    slack.app.engine.answerer = Exploding()
    envelope = await slack.say("How do I reset my password?")
    [notice] = thread_replies(slack.fake, envelope["event"]["ts"])
    [card] = slack.fake.posts(AGENTS)
    assert "hit an error while reading this message" in json.dumps(card["blocks"])
    assert "RuntimeError" not in json.dumps(card["blocks"])  # agents read a sentence, not an exception
    [ticket] = await slack.app.store.tickets()
    assert ticket.handoff.reason == "internal_error" and notice["text"]
    [record] = await slack.app.store.decisions()
    assert record.kind == "escalate" and record.reason == "internal_error"


async def test_nul_bytes_lone_surrogates_and_huge_messages_are_answered(slack: Slack) -> None:
    for text in ("reset my password\x00 please", "password \ud800 reset", "password " + "x" * 60_000):
        envelope = message_event(text)
        response = await slack.post(json.dumps(envelope), "application/json")
        assert response.status == 200
        await slack.settle()
        assert len(thread_replies(slack.fake, envelope["event"]["ts"])) == 1
    for record in await slack.app.store.decisions():
        assert "\x00" not in record.text and len(record.text) <= 40_000
