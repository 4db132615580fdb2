"""Admin commands in Teams (a bot mention in a channel, or the command alone in a 1:1 chat) and the scheduler's
posts reaching Teams conversations, through POST /api/messages and the local Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.types import Address, Platform
from scheduler.config import DigestConfig
from tests.adapters.teams.conftest import (
    ADMIN,
    AGENT,
    AGENTS,
    BILLING,
    CUSTOMER_TENANT,
    OUR_TENANT,
    SHARED,
    Teams,
    installed,
    make_config,
    make_settings,
    message,
    personal,
    start_teams,
)
from tests.adapters.teams.fake_connector import FakeConnector

SHARED_ADDRESS = Address(Platform.TEAMS, OUR_TENANT, SHARED)
LEADS = "19:1ead5c0ffee04d2f9a8b7c6d5e4f3a21@thread.tacv2"


async def policy(teams: Teams) -> Any:
    return await teams.app.store.channel_policy(SHARED_ADDRESS, datetime.now(UTC))


async def test_an_admin_mention_in_the_customer_channel_changes_it_and_is_recorded(teams: Teams) -> None:
    await teams.say("threshold 0.85", who=ADMIN, tenant=OUR_TENANT)
    said = teams.fake.posts(SHARED)[-1]
    assert said.body["text"] == "Done: threshold set to 0.85 in the channel “acme-support”."
    assert said.conversation.startswith(f"{SHARED};messageid=")  # answered in the thread it was typed in
    assert (await policy(teams)).threshold == 0.85
    changes = await teams.app.store.admin_changes()  # type: ignore[attr-defined]
    assert changes[-1].actor_id == ADMIN["aadObjectId"] and "threshold" in changes[-1].what


async def test_commands_in_the_admins_1_1_chat_name_channels_by_mention(teams: Teams) -> None:
    await teams.say("hello")  # the bot has seen the shared channel
    activity = personal("pause <at>acme-support</at>", teams.fake.url)
    activity["entities"].append({"type": "mention", "text": "<at>acme-support</at>", "mentioned": {"id": SHARED, "name": "acme-support"}})
    await teams.send(activity)
    assert "Done: AI paused in the channel “acme-support”." in teams.fake.posts("a:")[-1].text
    assert (await policy(teams)).paused
    await teams.send(personal(f"route billing {AGENTS}", teams.fake.url))
    assert "now go to the channel “agents”" in teams.fake.posts("a:")[-1].text
    assert await teams.app.store.get_setting("teams.route.billing") == AGENTS
    await teams.send(personal("route billing #billing", teams.fake.url))
    assert "is not a Teams channel" in teams.fake.posts("a:")[-1].text
    await teams.send(personal("status", teams.fake.url))
    assert "Confidence threshold" in teams.fake.posts("a:")[-1].text


async def test_non_admins_and_external_users_are_refused_and_nothing_changes(teams: Teams) -> None:
    before = await policy(teams)
    await teams.say("pause", who=AGENT, tenant=OUR_TENANT)
    assert "only Frontdesk admins can use `@Frontdesk`" in teams.fake.posts(SHARED)[-1].text
    assert "FRONTDESK_TEAMS_ADMINS" in teams.fake.posts(SHARED)[-1].text
    await teams.say("mode off")  # a customer, from their own tenant
    assert "only for this organisation's Frontdesk admins" in teams.fake.posts(SHARED)[-1].text
    await teams.say("threshold 0.1", who={**ADMIN}, tenant=CUSTOMER_TENANT)  # a listed id, but from another tenant
    assert "Nothing was changed" in teams.fake.posts(SHARED)[-1].text
    after = await policy(teams)
    assert (after.paused, after.mode, after.threshold) == (before.paused, before.mode, before.threshold)
    assert not await teams.app.store.admin_changes()  # type: ignore[attr-defined]


async def test_a_customer_asking_for_help_gets_an_answer_not_the_command_list(teams: Teams) -> None:
    await teams.say("help, how do I reset my password?")
    reply = teams.fake.posts(SHARED)[-1]
    assert "Reset password" in reply.text and "admin commands" not in reply.text


async def test_an_agents_unaddressed_message_is_not_a_command(teams: Teams) -> None:
    asked = await teams.say("I want to talk to a person")
    await teams.say("status is fine now, Dana", who=AGENT, tenant=OUR_TENANT, root=asked["id"], mention=False)
    assert all("Frontdesk in" not in c.text for c in teams.fake.posts(SHARED))


@pytest.fixture
async def with_digest(fake: FakeConnector, tmp_path: Any) -> AsyncIterator[Teams]:
    config = make_config()
    config.digest = DigestConfig(recipients={"billing": LEADS}, everyone=ADMIN["aadObjectId"])
    harness, client = await start_teams(fake, make_settings(tmp_path), config)
    await harness.send(installed(LEADS, fake.url))
    await harness.send(personal("hi", fake.url))  # the admin's 1:1 chat with the bot
    yield harness
    await client.close()


async def test_digest_now_posts_to_a_teams_channel_and_a_teams_person(with_digest: Teams) -> None:
    teams = with_digest
    await teams.say("How do I reset my password?")
    await teams.send(personal("digest now", teams.fake.url))
    composing, everyone, summary = teams.fake.posts("a:")[-3:]
    assert composing.body["text"].startswith("Composing the weekly digest")
    assert "Frontdesk weekly digest — all teams" in everyone.text  # `everyone` = the admin, in their 1:1 chat
    assert summary.body["text"].startswith("Sent the weekly digest to a Teams channel or chat (billing), a Teams person")
    [to_leads] = teams.fake.posts(LEADS)
    assert to_leads.conversation == LEADS and "Frontdesk weekly digest — billing" in to_leads.text
    assert not teams.fake.posts(BILLING)


async def test_a_teams_recipient_the_bot_was_never_added_to_is_reported_not_dropped(teams: Teams) -> None:
    from scheduler.context import JobContext
    from scheduler.digest import send_each

    ctx = JobContext.of(teams.app)
    summary = await send_each(ctx, "weekly digest", [("billing", LEADS, "text"), (None, AGENTS, "text")])
    assert "Failed" in summary and "add the Frontdesk app to that channel" in summary
    assert teams.fake.posts(AGENTS)[-1].body["text"] == "text"
    assert message  # the shared builders stay importable for other transcripts


@pytest.fixture
async def with_campaign(fake: FakeConnector, tmp_path: Any) -> AsyncIterator[Teams]:
    from scheduler.config import CampaignConfig

    config = make_config()
    config.campaigns = {"exports": CampaignConfig(text="New: scheduled exports for {org}.", min_days_between=0)}
    harness, client = await start_teams(fake, make_settings(tmp_path), config)
    yield harness
    await client.close()


async def test_a_campaign_reaches_the_teams_channel_and_its_opt_out_button_works(with_campaign: Teams) -> None:
    teams = with_campaign
    await teams.say("How do I reset my password?")  # the shared channel becomes a known customer contact
    assert (await teams.app.jobs["campaign.exports"]()).startswith("Campaign exports: 1 sent")
    post = teams.fake.posts(SHARED)[-1]
    assert post.conversation == SHARED and "New: scheduled exports" in post.text  # a new post in the channel
    refused = await teams.press(post, "opt_out", who=AGENT, tenant=OUR_TENANT)
    assert refused["value"] == "Only customers can stop these updates for their organisation."
    done = await teams.press(post, "opt_out")
    assert done["value"].startswith("Done: your team will not get these updates")
    assert "1 opted out" in await teams.app.jobs["campaign.exports"]()
    assert len([c for c in teams.fake.posts(SHARED) if "New: scheduled exports" in c.text]) == 1
