"""Pre-approval, agent-first and `/frontdesk` admin commands, through signed requests to /slack/events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.types import Actor, Address, HandoffStatus, Mode, Platform
from tests.adapters.slack.conftest import (
    ADMIN,
    AGENT,
    BILLING,
    CUSTOMER,
    SHARED,
    Slack,
    all_text,
    buttons,
    make_config,
    make_settings,
    start_slack,
)
from tests.adapters.slack.fake_slack import OUR_TEAM, FakeSlack

SHARED_ADDRESS = Address(Platform.SLACK, OUR_TEAM, SHARED)


@pytest.fixture
async def new_channel(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    """A server whose channels start in pre-approval for 30 days (the default of a new channel)."""
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), make_config(approval_days=30))
    yield harness
    await client.close()


async def test_new_channel_drafts_go_to_agents_and_approve_posts_the_answer(new_channel: Slack) -> None:
    slack = new_channel
    envelope = await slack.say("Where do I find my invoice?")
    shared = slack.fake.posts(SHARED)
    assert len(shared) == 1 and "Billing, then History" not in shared[0]["text"]  # only a notice
    card = slack.fake.posts(BILLING)[0]  # the billing team's channel, from the answer's team
    assert buttons(card["blocks"]) == ["approve", "edit", "reject"]
    assert "Billing, then History" in all_text(card)

    await slack.click(card, "approve", user=AGENT, team=OUR_TEAM)
    answer = slack.fake.posts(SHARED)[-1]
    assert answer["thread_ts"] == envelope["event"]["ts"] and "Billing, then History" in answer["text"]
    assert buttons(answer["blocks"]) == ["helpful", "not_helpful", "human", "no_ai"]
    updated = all_text(slack.fake.called("chat.update")[-1])
    assert "Sent by" in updated and "Approved the AI's draft" in updated and f"<@{AGENT}> (<!date^" in updated
    [ticket] = await slack.app.store.tickets(HandoffStatus.RESOLVED)
    assert [(e.kind, e.agent) for e in ticket.handoff.events] == [("approved", AGENT)]


async def test_edit_opens_a_modal_and_posts_the_edited_text_as_an_override(new_channel: Slack) -> None:
    slack = new_channel
    await slack.say("Where do I find my invoice?")
    card = slack.fake.posts(BILLING)[0]
    await slack.click(card, "edit", user=AGENT, team=OUR_TEAM)
    view = slack.fake.called("views.open")[-1]["view"]
    assert view["callback_id"] == "fd_edit"
    assert view["blocks"][0]["element"]["initial_value"].startswith("Invoices are under Billing")
    edited = "Invoices are under Billing, then History. You can also ask us to email them."
    await slack.submit(
        view, {"answer": {"text": {"type": "plain_text_input", "value": edited}}}, user=AGENT, team=OUR_TEAM
    )
    assert slack.fake.posts(SHARED)[-1]["text"] == edited
    overrides = [f for f in await slack.app.store.feedback() if f.kind == "rewrite"]
    assert overrides[-1].rewrote is True and "+Invoices" in overrides[-1].reason


async def test_empty_edit_is_refused_inside_the_modal(new_channel: Slack) -> None:
    slack = new_channel
    await slack.say("Where do I find my invoice?")
    await slack.click(slack.fake.posts(BILLING)[0], "edit", user=AGENT, team=OUR_TEAM)
    view = slack.fake.called("views.open")[-1]["view"]
    response = await slack.submit(
        view, {"answer": {"text": {"type": "plain_text_input", "value": "  "}}}, user=AGENT, team=OUR_TEAM
    )
    assert (await response.json())["response_action"] == "errors"
    assert len(slack.fake.posts(SHARED)) == 1  # only the notice


async def test_reject_turns_the_draft_into_a_handoff(new_channel: Slack) -> None:
    slack = new_channel
    await slack.say("Where do I find my invoice?")
    card = slack.fake.posts(BILLING)[0]
    await slack.click(card, "reject", user=AGENT, team=OUR_TEAM)
    # The draft notice already told the customer a teammate will answer: no second notice, and no draft to send.
    assert [p["text"] for p in slack.fake.posts(SHARED)] == ["Thanks, a teammate will confirm the answer here shortly."]
    updated = slack.fake.called("chat.update")[-1]
    assert buttons(updated["blocks"])[0] == "claim" and "Rejected the AI's draft" in all_text(updated)
    assert not {"approve", "edit", "reject"} & set(buttons(updated["blocks"]))
    await slack.click(card, "approve", user=AGENT, team=OUR_TEAM)  # a stale card's button
    assert len(slack.fake.posts(SHARED)) == 1


async def test_admin_mode_overrides_the_approval_period(new_channel: Slack) -> None:
    slack = new_channel
    ack = await slack.command("mode ai-first")
    assert "Done" in ack["text"]
    await slack.say("Where do I find my invoice?")
    assert "Billing, then History" in slack.fake.posts(SHARED)[-1]["text"]
    assert slack.fake.posts(BILLING) == []


# --- /frontdesk -------------------------------------------------------------------------------------------------


async def test_admin_commands_change_channel_settings_and_are_recorded(slack: Slack) -> None:
    assert "Done" in (await slack.command("threshold 0.85"))["text"]
    assert "Done" in (await slack.command("share 30%"))["text"]
    assert "Done" in (await slack.command("mode pre-approval <#C0OTHER1|other>"))["text"]
    assert "Done" in (await slack.command("pause"))["text"]
    policy = await slack.app.store.channel_policy(SHARED_ADDRESS, slack.app.dispatcher.clock())
    assert (policy.threshold, policy.ai_share, policy.paused) == (0.85, 0.3, True)
    other = await slack.app.store.channel_policy(
        Address(Platform.SLACK, OUR_TEAM, "C0OTHER1"), slack.app.dispatcher.clock()
    )
    assert other.mode is Mode.PRE_APPROVAL and other.explicit_mode

    await slack.say("How do I reset my password?")  # paused: the AI stays quiet
    assert slack.fake.posts(SHARED) == []
    await slack.command("resume")
    await slack.say("How do I reset my password?")
    assert len(slack.fake.posts(SHARED)) == 1

    assert "Done" in (await slack.command(f"vip add <@{CUSTOMER}|dana>"))["text"]
    assert await slack.app.store.is_vip(Actor(CUSTOMER))
    changes = await slack.app.store.admin_changes()  # type: ignore[attr-defined]
    assert [c.actor_id for c in changes] == [ADMIN] * 6
    assert any("threshold" in c.what for c in changes)


async def test_status_help_reindex_and_digest(slack: Slack) -> None:
    await slack.say("My quantum flux capacitor is humming")
    status = (await slack.command("status"))["text"]
    assert "Mode: ai-first" in status and "0.70" in status and "100%" in status
    assert "Open handoffs: 1 (1 from this channel)" in status and "Knowledge base version" in status
    assert "/frontdesk" in (await slack.command("help"))["text"]
    assert "no knowledge base attached" in (await slack.command("reindex"))["text"]
    assert "Composing the weekly digest" in (await slack.command("digest now"))["text"]
    assert "the digest has nobody to go to" in slack.fake.called("response")[-1]["text"]  # no recipients configured
    assert (await slack.command("threshold 7"))["text"].endswith("did you mean `threshold 0.07`?")
    assert (await slack.command("threshold 70%"))["text"].endswith("did you mean `threshold 0.7`?")
    assert "usage" in (await slack.command("threshold high"))["text"]
    assert "unknown command" in (await slack.command("explode"))["text"]
    assert "Did you mean `threshold`?" in (await slack.command("treshold 0.5"))["text"]
    assert "Did you mean `campaign`?" in (await slack.command("campaing exports now"))["text"]
    typed = (await slack.command("status #general"))["text"]  # not picked from Slack's list: plain text arrives
    assert typed.startswith("`#general` is not a channel Slack recognised: pick it from the list")


async def test_non_admins_and_external_users_are_refused_and_nothing_changes(slack: Slack) -> None:
    refused = await slack.command("threshold 0.1", user=AGENT)
    assert refused["response_type"] == "ephemeral" and "only Frontdesk admins" in refused["text"]
    external = await slack.command("threshold 0.1", user="U_EXT", team="T_CUSTOMER")
    assert "Nothing was changed" in external["text"]
    slack.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True}
    listed_but_external = await slack.command("pause", user=ADMIN, team="T_CUSTOMER")
    assert "Nothing was changed" in listed_but_external["text"]
    policy = await slack.app.store.channel_policy(SHARED_ADDRESS, slack.app.dispatcher.clock())
    assert (policy.threshold, policy.paused) == (0.70, False)
    assert list(await slack.app.store.admin_changes()) == []  # type: ignore[attr-defined]


async def test_workspace_admins_from_users_info_count(slack: Slack) -> None:
    slack.fake.users["U_OWNER"] = {"id": "U_OWNER", "is_owner": True}
    assert "Done" in (await slack.command("threshold 0.6", user="U_OWNER"))["text"]
    assert slack.fake.called("users.info")[-1]["user"] == "U_OWNER"


class FakeKnowledge:
    version = "v2"

    def __init__(self) -> None:
        self.ingested: list[Any] = []

    def ingest(self, kb_dir: Any) -> Any:
        from types import SimpleNamespace

        self.ingested.append(kb_dir)
        return SimpleNamespace(version="v2", articles=3, added=1, updated=0, removed=0, unchanged=2, seconds=0.2)


async def test_reindex_runs_in_the_background_and_reports_through_response_url(slack: Slack) -> None:
    knowledge = FakeKnowledge()
    slack.app.knowledge = knowledge
    ack = await slack.command("reindex")
    assert "Reindexing" in ack["text"]
    assert len(knowledge.ingested) == 1
    later = slack.fake.called("response")[-1]
    assert "3 articles (1 added" in later["text"] and "v2" in later["text"]
    assert "v2" in (await slack.command("status"))["text"]


async def test_status_reports_the_share_the_ai_answered(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    await slack.say("My quantum flux capacitor is humming")
    assert "AI answered 50% of 2 decisions" in (await slack.command("status"))["text"]
