"""`/frontdesk digest now` through signed requests to /slack/events: the Monday digest composed from what customers
did in Slack, posted to each team lead through the Slack outbox (the local fake Slack records it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Config
from policies.config import TeamConfig
from scheduler.config import DigestConfig
from tests.adapters.slack.conftest import ADMIN, AGENT, SHARED, Slack, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import FakeSlack

LEADS, SUPPORT_LEAD = "C_BILLING_LEADS", "U_SUPPORT_LEAD"


def digest_config() -> Config:
    config = make_config()
    teams = {**config.teams, "support": TeamConfig(lead=SUPPORT_LEAD)}
    return config.model_copy(update={"teams": teams, "digest": DigestConfig(recipients={"billing": LEADS})})


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), digest_config())
    yield harness
    await client.close()


async def test_digest_now_posts_each_teams_failures_to_its_lead(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    answer = slack.fake.posts(SHARED)[-1]
    await slack.click(answer, "not_helpful")
    await slack.say("My quantum flux capacitor is humming")
    await slack.say("Where can I download my invoice?")
    await slack.click(slack.fake.posts(SHARED)[-1], "helpful")

    ack = await slack.command("digest now")
    assert ack["response_type"] == "ephemeral" and "Composing the weekly digest" in ack["text"]
    done = slack.fake.called("response")[-1]["text"]
    assert done == f"Sent the weekly digest to <#{LEADS}> (billing), <@{SUPPORT_LEAD}> (support)."

    support = slack.fake.posts(SUPPORT_LEAD)
    assert len(support) == 1
    text = support[0]["text"]
    assert "Frontdesk weekly digest — support" in text
    assert "Conversations: 2 (previous: 0)" in text
    assert "“My quantum flux capacitor is humming” — nothing in the knowledge base" in text
    assert "“How do I reset my password?” — voted not helpful" in text
    assert "reset-password" in text and "0 helpful / 1 not helpful" in text  # the article to fix
    billing = slack.fake.posts(LEADS)[0]["text"]
    assert "Frontdesk weekly digest — billing" in billing and "Conversations: 1" in billing
    assert "Top failed questions:* none this week" in billing and "quantum" not in billing
    changes = await slack.app.store.admin_changes()  # type: ignore[attr-defined]
    assert [(c.actor_id, c.what) for c in changes] == [(ADMIN, "digest now")]


async def test_only_admins_may_send_the_digest(slack: Slack) -> None:
    refused = await slack.command("digest now", user=AGENT)
    assert "only Frontdesk admins" in refused["text"]
    external = await slack.command("digest now", user="U_EXT", team="T_CUSTOMER")
    assert "Nothing was changed" in external["text"]
    assert slack.fake.posts(LEADS) == [] and slack.fake.posts(SUPPORT_LEAD) == []


async def test_a_lead_slack_refuses_does_not_stop_the_others(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    slack.fake.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"})
    await slack.command("digest now")
    done = slack.fake.called("response")[-1]["text"]
    assert done.startswith(f"Sent the weekly digest to <@{SUPPORT_LEAD}> (support). Failed: <#{LEADS}> (billing):")
    assert "channel_not_found" in done
    assert len(slack.fake.posts(SUPPORT_LEAD)) == 1
