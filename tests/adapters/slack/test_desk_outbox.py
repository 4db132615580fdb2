"""Agents' actions go through the outbox (issue 18, req. 1 and 2): with the Slack Web API failing for a while, a claim,
a resolve or an approved answer still reaches the customer exactly once and the card is still updated; a customer
reply that cannot be delivered at all is shown to the agents (a card in the default agents channel) and to each
admin (a direct message), with error bodies real services send (HTML, empty, broken JSON, ok:false)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.types import HandoffStatus
from bot.orchestration.delivery import Backoff
from tests.adapters.slack.conftest import (
    ADMIN,
    AGENT,
    AGENTS,
    BILLING,
    SHARED,
    Slack,
    all_text,
    make_config,
    make_settings,
    start_slack,
)
from tests.adapters.slack.fake_slack import OUR_TEAM, FakeSlack
from tests.adapters.slack.test_faults import drain_outbox, fast_retries, thread_replies


@pytest.fixture
async def new_channel(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    """Channels start in pre-approval: the AI's answers are drafts an agent approves."""
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), make_config(approval_days=30))
    yield harness
    await client.close()


def updates(fake: FakeSlack) -> list[str]:
    return [all_text(call) for call in fake.called("chat.update")]  # successful updates only


async def test_an_approved_answer_reaches_the_customer_once_after_slack_recovers(new_channel: Slack) -> None:
    slack = new_channel
    fast_retries(slack)
    envelope = await slack.say("Where do I find my invoice?")
    card = slack.fake.posts(BILLING)[0]
    slack.fake.fault(f"chat.postMessage@{SHARED}", "500", "html", "empty", "badjson", "ok_false")
    slack.fake.fault("chat.update", "html", "empty")
    response = await slack.click(card, "approve", user=AGENT, team=OUR_TEAM)
    assert response.status == 200  # the agent's press is taken; Slack's failure is the outbox's to retry
    stats = await drain_outbox(slack)
    assert stats.failed == 0 and not slack.fake.faults.get(f"chat.postMessage@{SHARED}")
    answers = [p for p in thread_replies(slack.fake, envelope["event"]["ts"]) if "Billing, then History" in p["text"]]
    assert len(answers) == 1, "the approved answer is posted exactly once"
    assert any("Approved the AI's draft" in text for text in updates(slack.fake)), "the card is updated"
    [ticket] = await slack.app.store.tickets(HandoffStatus.RESOLVED)
    assert [e.kind for e in ticket.handoff.events] == ["approved"]


async def test_claim_and_resolve_while_slack_fails_tell_the_customer_once_each(slack: Slack) -> None:
    fast_retries(slack)
    envelope = await slack.say("My quantum flux capacitor is humming")
    thread = envelope["event"]["ts"]
    card = slack.fake.posts(AGENTS)[0]
    slack.fake.fault(f"chat.postMessage@{SHARED}", "500", "429", "html")
    slack.fake.fault("chat.update", "empty", "badjson")
    assert (await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)).status == 200
    await drain_outbox(slack)
    claimed = slack.fake.called("chat.update")[-1]
    assert f"Claimed by <@{AGENT}>" in all_text(claimed)
    slack.fake.fault(f"chat.postMessage@{SHARED}", "timeout", "ok_false")
    await slack.click({**claimed, "_ts": card["_ts"], "channel": AGENTS}, "resolve", user=AGENT, team=OUR_TEAM)
    stats = await drain_outbox(slack)
    assert stats.failed == 0
    told = [p["text"] for p in thread_replies(slack.fake, thread)]
    assert len(told) == 3, told  # "a person will reply", "<agent> is on it", "resolved - how did we do?"
    assert sum(f"<@{AGENT}>" in text for text in told) == 1
    [ticket] = await slack.app.store.tickets(HandoffStatus.RESOLVED)
    assert ticket.agent == AGENT


@pytest.mark.parametrize(
    ("faults", "reason"),
    [
        (("channel_not_found",), "no longer exists, or Frontdesk is no longer in it (channel_not_found)"),
        (("html",) * 3, "server error (HTTP 502)"),
        (("empty",) * 3, "server error (HTTP 503)"),
        (("badjson",) * 3, "Slack kept refusing it or could not be reached"),
        (("ok_false",) * 3, "Slack kept refusing it or could not be reached"),
    ],
    ids=["ok-false-permanent", "html", "empty", "non-json", "ok-false"],
)
async def test_an_undeliverable_reply_goes_to_the_agents_channel_and_the_admins(
    slack: Slack, faults: tuple[str, ...], reason: str
) -> None:
    slack.app.dispatcher.outbox.backoff = Backoff(base=0.01, cap=0.05, attempts=3)
    slack.fake.fault(f"chat.postMessage@{SHARED}", *faults)
    await slack.say("How do I reset my password?")
    stats = await drain_outbox(slack)
    assert stats.failed == 1  # the reply itself never reached the customer: recorded as such
    [card] = slack.fake.posts(AGENTS)
    text = all_text(card)
    assert "could not deliver a reply" in text and reason in text
    assert "Open Settings, then Security, and choose Reset password." in text  # the reply, to send another way
    [dm] = slack.fake.posts(ADMIN)
    assert dm["text"].startswith("Frontdesk could not deliver a reply to ") and reason in dm["text"]
    assert slack.app.dispatcher.outbox.stats.fallbacks == 1


@pytest.fixture
def quick_timeouts(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack) -> None:
    """Set before the Slack client is built: a "lost" answer then outlasts the client's timeout."""
    monkeypatch.setattr("adapters.slack.runtime.TIMEOUT", 0.5)
    fake.hang = 1.0


async def test_a_note_to_the_agent_whose_answer_was_lost_is_not_posted_twice(quick_timeouts: None, slack: Slack) -> None:
    fast_retries(slack)
    first = await slack.say("How do I reset my password?")  # the AI answers: the agent is asked afterwards
    thread = first["event"]["ts"]
    await slack.say("can I talk to a human please", thread_ts=thread)
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    claimed = slack.fake.called("chat.update")[-1]
    slack.fake.fault(f"chat.postMessage@{AGENTS}", "lost")  # the note is posted, but its answer never arrives
    await slack.click({**claimed, "_ts": card["_ts"], "channel": AGENTS}, "resolve", user=AGENT, team=OUR_TEAM)
    stats = await drain_outbox(slack)
    assert stats.failed == 0
    notes = [p for p in slack.fake.posts(AGENTS) if "rewrite the AI's answer" in p["text"]]
    assert len(notes) == 1 and notes[0]["thread_ts"] == card["_ts"]
    assert slack.app.dispatcher.outbox.stats.deduplicated >= 1
