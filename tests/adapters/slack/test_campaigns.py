"""Proactive campaigns through Slack: posted top-level in the customers' shared channels through the Slack outbox,
and a customer's "Stop these updates" press (a signed interactivity request) opts their organisation out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from scheduler.config import CampaignConfig
from tests.adapters.slack.conftest import AGENT, SHARED, Slack, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import OUR_TEAM, FakeSlack

SECOND, OTHER_ORG = "C_SECOND", "T_OTHER"


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    campaigns = {
        "exports": CampaignConfig(text="Exports to CSV are live: Settings > Export."),
        "webinar": CampaignConfig(text="Join our admin webinar on Thursday.", min_days_between=0),
    }
    config = make_config().model_copy(update={"campaigns": campaigns})
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), config)
    yield harness
    await client.close()


async def test_campaign_posts_to_customer_channels_and_the_opt_out_button_stops_the_next(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    await slack.say("Where can I download my invoice?", user="U_OTHER", team=OTHER_ORG, channel=SECOND)
    assert await slack.app.jobs["campaign.exports"]() == "Campaign exports: 2 sent."
    post = slack.fake.posts(SHARED)[-1]
    assert post["text"].startswith("Exports to CSV are live") and not post.get("thread_ts")
    assert slack.fake.posts(SECOND)[-1]["text"].startswith("Exports to CSV are live")

    await slack.click(post, "opt_out", user=AGENT, team=OUR_TEAM)  # our own agent cannot opt a customer out
    assert "Only customers can stop these updates" in slack.fake.called("chat.postEphemeral")[-1]["text"]
    await slack.click(post, "opt_out")  # the customer (Slack Connect, T_CUSTOMER)
    assert "will not get these updates any more" in slack.fake.called("chat.postEphemeral")[-1]["text"]

    assert await slack.app.jobs["campaign.webinar"]() == "Campaign webinar: 1 sent, 1 opted out."
    assert slack.fake.posts(SECOND)[-1]["text"].startswith("Join our admin webinar")
    assert not any(p["text"].startswith("Join our admin webinar") for p in slack.fake.posts(SHARED))


async def test_admins_send_a_campaign_with_a_slash_command(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    unknown = await slack.command("campaign launch now")
    assert unknown["text"] == "No campaign `launch`; campaigns: `exports`, `webinar`. Nothing was sent."
    assert "usage: `campaign <name> now`" in (await slack.command("campaign exports"))["text"]
    assert "only Frontdesk admins" in (await slack.command("campaign exports now", user=AGENT))["text"]
    ack = await slack.command("campaign exports now")
    assert ack["text"].startswith("Sending campaign `exports`")
    assert slack.fake.called("response")[-1]["text"] == "Campaign exports: 1 sent."
    assert slack.fake.posts(SHARED)[-1]["text"].startswith("Exports to CSV are live")
