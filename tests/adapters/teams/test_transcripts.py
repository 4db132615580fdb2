"""One transcript per flow, through POST /api/messages and botbuilder's connector client talking to a local Bot
Connector: answer, feedback, one-click handoff, claim, agent reply, resolve + CSAT, pre-approval approve/edit,
retries answered once, and an agent's thread reply as a human turn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.conversation import ConversationStatus
from bot.core.types import HandoffStatus
from tests.adapters.teams.conftest import (
    AGENT,
    AGENTS,
    BILLING,
    CUSTOMER,
    OUR_TENANT,
    SHARED,
    Teams,
    buttons,
    make_config,
    make_settings,
    message,
    personal,
    start_teams,
)
from tests.adapters.teams.fake_connector import FakeConnector


async def test_answer_is_a_card_in_the_customers_thread_with_sources_and_buttons(teams: Teams) -> None:
    asked = await teams.say("How do I reset my password?")
    [reply] = teams.fake.posts(SHARED)
    assert reply.conversation == f"{SHARED};messageid={asked['id']}"  # the thread, through its own serviceUrl
    assert reply.activity_id == ""  # a post into the thread, not a reply to a made-up activity
    assert "Reset password" in reply.text and "https://kb.example.com/reset" in reply.text
    assert buttons(reply) == ["helpful", "not_helpful", "human", "no_ai"]
    assert reply.body["summary"].startswith("Open Settings")  # the plain-text fallback for notifications
    assert reply.card["fallbackText"].startswith("Open Settings")
    conversation = await teams.app.store.load_conversation(f"teams:{OUR_TENANT}:{SHARED}:{asked['id']}")
    assert conversation is not None and conversation.turns[0].text == "How do I reset my password?"  # no <at>


async def test_a_retried_activity_is_answered_once(teams: Teams) -> None:
    activity = message("How do I reset my password?", teams.fake.url)
    await teams.send(activity)
    await teams.send(activity)  # the Bot Framework retries with the same id
    assert len(teams.fake.posts(SHARED)) == 1


async def test_feedback_not_helpful_then_helpful_is_recorded(teams: Teams) -> None:
    await teams.say("How do I reset my password?")
    reply = teams.fake.posts(SHARED)[0]
    said = await teams.press(reply, "helpful")
    assert said == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": "Thanks for letting us know."}
    entries = [f for f in await teams.app.store.feedback() if f.kind == "helpful"]
    assert [e.helpful for e in entries] == [True]


async def test_no_ai_button_hands_the_customer_to_people_from_then_on(teams: Teams) -> None:
    await teams.say("How do I reset my password?")
    await teams.press(teams.fake.posts(SHARED)[0], "no_ai")
    assert len(teams.fake.posts(AGENTS)) == 1  # a person is brought in at the press
    answers_before = len(teams.fake.posts(SHARED))
    await teams.say("And how do I change my email address?")
    # From now on a person answers: the AI says nothing in the thread and the decision names the opt-out.
    assert len(teams.fake.posts(SHARED)) == answers_before
    last = (await teams.app.store.decisions())[-1]
    assert last.text == "And how do I change my email address?" and last.kind != "respond" and "no_ai" in last.reason


async def test_one_click_handoff_then_claim_reply_resolve_and_csat(teams: Teams) -> None:
    asked = await teams.say("How do I reset my password?")
    answer = teams.fake.posts(SHARED)[0]
    pressed = await teams.press(answer, "human")
    assert "person" in pressed["value"]
    # One click: the card is already in the agents channel; the reason is only asked afterwards.
    [card] = teams.fake.posts(AGENTS)
    assert card.conversation == AGENTS and buttons(card)[0] == "claim" and "reply" in buttons(card)
    thread = teams.fake.posts(SHARED)
    assert "reason" in [b for c in thread for b in buttons(c)] and any("optional" in c.text for c in thread)
    ticket = (await teams.app.store.tickets(HandoffStatus.OPEN))[0]
    assert ticket.card_ref == f"{AGENTS}|{card.new_id}"
    prompt = next(c for c in thread if "reason" in buttons(c))
    thanks = await teams.press(prompt, "reason", **{})
    assert thanks["type"] == "application/vnd.microsoft.card.adaptive"

    claimed = await teams.press(card, "claim", who=AGENT, tenant=OUR_TENANT)
    assert claimed["value"] == "You claimed it."
    assert "Alex Agent" in teams.fake.posts(SHARED)[-1].text  # the customer is told who is on it
    update = teams.fake.updates()[-1]
    assert update.conversation == AGENTS and update.activity_id == card.new_id and "Claimed by Alex Agent" in update.text

    await teams.press(card, "reply", who=AGENT, tenant=OUR_TENANT, reply="Sent you a reset link by email.")
    assert teams.fake.posts(SHARED)[-1].body.get("text") == "Sent you a reset link by email."

    await teams.press(card, "resolve", who=AGENT, tenant=OUR_TENANT)
    csat = teams.fake.posts(SHARED)[-1]
    assert csat.conversation == f"{SHARED};messageid={asked['id']}" and buttons(csat)[:1] == ["csat"]
    assert "Resolved by Alex Agent" in teams.fake.updates()[-1].text and not buttons(teams.fake.updates()[-1])
    rated = await teams.press(csat, "csat", **{})
    assert "rated" in rated["value"]["body"][0]["text"]
    assert [f.score for f in await teams.app.store.feedback() if f.kind == "csat"]


async def test_customers_cannot_press_agent_buttons_and_stale_presses_say_why(teams: Teams) -> None:
    await teams.say("How do I reset my password?")
    await teams.press(teams.fake.posts(SHARED)[0], "human")
    card = teams.fake.posts(AGENTS)[0]
    refused = await teams.press(card, "claim")  # the customer, from their tenant
    assert refused["value"] == "Only agents of this organisation can do that."
    assert not teams.fake.updates()  # nothing changed
    await teams.press(card, "claim", who=AGENT, tenant=OUR_TENANT)
    await teams.press(card, "resolve", who=AGENT, tenant=OUR_TENANT)
    again = await teams.press(card, "claim", who=AGENT, tenant=OUR_TENANT, as_posted=True)
    assert again["value"] == "this handoff is already resolved by Alex Agent"


async def test_an_agents_reply_in_the_customer_thread_claims_it(teams: Teams) -> None:
    asked = await teams.say("I want to talk to a person")
    assert teams.fake.posts(AGENTS)
    await teams.say("Hi Dana, I'm on it.", who=AGENT, tenant=OUR_TENANT, root=asked["id"], mention=False)
    conversation = await teams.app.store.load_conversation(f"teams:{OUR_TENANT}:{SHARED}:{asked['id']}")
    assert conversation is not None and conversation.status is ConversationStatus.CLAIMED
    await teams.say("thanks!", root=asked["id"], mention=False)
    assert all("thanks" not in c.text.lower() for c in teams.fake.posts(SHARED))  # the AI stays quiet


@pytest.fixture
async def new_channel(fake: FakeConnector, tmp_path: Any) -> AsyncIterator[Teams]:
    harness, client = await start_teams(fake, make_settings(tmp_path), make_config(approval_days=30))
    yield harness
    await client.close()


async def test_pre_approval_draft_approve_posts_the_answer(new_channel: Teams) -> None:
    teams = new_channel
    asked = await teams.say("Where do I find my invoice?")
    [notice] = teams.fake.posts(SHARED)
    assert "Billing, then History" not in notice.text
    [card] = teams.fake.posts(BILLING)  # the billing team's Teams channel
    assert buttons(card) == ["approve", "edit", "reject"] and "Billing, then History" in card.text
    await teams.press(card, "approve", who=AGENT, tenant=OUR_TENANT)
    answer = teams.fake.posts(SHARED)[-1]
    assert answer.conversation == f"{SHARED};messageid={asked['id']}" and "Billing, then History" in answer.text
    assert "Sent by Alex Agent" in teams.fake.updates()[-1].text


async def test_pre_approval_edit_sends_the_edited_text(new_channel: Teams) -> None:
    teams = new_channel
    await teams.say("Where do I find my invoice?")
    card = teams.fake.posts(BILLING)[0]
    empty = await teams.press(card, "edit", who=AGENT, tenant=OUR_TENANT, answer="  ")
    assert "empty" in empty["value"] and len(teams.fake.posts(SHARED)) == 1
    edited = "Invoices are under Billing, then History. We can email them too."
    await teams.press(card, "edit", who=AGENT, tenant=OUR_TENANT, answer=edited)
    assert teams.fake.posts(SHARED)[-1].card["body"][0]["text"] == edited
    overrides = [f for f in await teams.app.store.feedback() if f.kind == "rewrite"]
    assert overrides[-1].rewrote is True


async def test_sensitive_topics_and_vips_go_to_a_person_as_in_slack(teams: Teams) -> None:
    await teams.say("You charged me twice this month, I want a refund")
    [card] = teams.fake.posts(BILLING)  # sensitive billing dispute: the billing team's Teams channel
    assert "Reset password" not in teams.fake.posts(SHARED)[-1].text and buttons(card)[0] == "claim"
    vip = CUSTOMER["aadObjectId"]
    await teams.send(personal(f"vip add {vip}", teams.fake.url))
    assert f"Done: {vip} is now a VIP." in teams.fake.posts("a:")[-1].text
    await teams.say("How do I reset my password?")  # a question the AI could answer, from a VIP
    assert "VIP" in teams.fake.posts(AGENTS)[-1].text
    assert "Open Settings" not in teams.fake.posts(SHARED)[-1].text


async def test_each_tenants_replies_go_through_its_own_service_url(teams: Teams) -> None:
    other = FakeConnector()  # a second customer tenant, served from another region's serviceUrl
    await other.start()
    try:
        elsewhere = "19:0the4c0ffee44d2f9a8b7c6d5e4f3a99@thread.tacv2"
        first = message("How do I reset my password?", teams.fake.url)
        second = message("How do I reset my password?", other.url, channel=elsewhere, tenant="e1e2e3e4-0000-4000-8000-000000000001")
        await teams.send(first)
        await teams.send(second)
        assert [c.conversation.split(";")[0] for c in teams.fake.posts()] == [SHARED]
        assert [c.conversation.split(";")[0] for c in other.posts()] == [elsewhere]
    finally:
        await other.stop()


async def test_references_survive_a_restart_and_anonymous_mode_is_announced(
    fake: FakeConnector, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.bootstrap import channel_defaults
    from bot.store.memory import MemoryStore

    settings, config = make_settings(tmp_path), make_config()
    store = MemoryStore(channel_defaults(config, settings))
    with caplog.at_level(logging.WARNING):
        first, client = await start_teams(fake, settings, config, store)  # learns the agents channels
    assert any("anonymous mode" in r.getMessage() for r in caplog.records)
    await client.close()
    again, client = await start_teams(fake, settings, config, store, install=False)  # a new process, same database
    try:
        await again.say("I want to talk to a person")
        [card] = fake.posts(AGENTS)  # posted through the reference stored before the restart
        assert buttons(card)[0] == "claim"
    finally:
        await client.close()


async def test_parallel_channel_the_agent_writes_then_picks_on_the_teams_card(teams: Teams) -> None:
    """Parallel (MISSION §10) in Teams: the AI's draft is on the card, the agent writes their own in the card's box,
    both are shown, and the agent's pick is what the customer gets — recorded for the report."""
    from tests.adapters.teams.conftest import ADMIN

    await teams.say("mode parallel", who=ADMIN, tenant=OUR_TENANT)
    assert "parallel" in teams.fake.posts(SHARED)[-1].text
    await teams.say("How do I reset my password?")
    [card] = teams.fake.posts(AGENTS)
    assert "write" in buttons(card) and "pick" in buttons(card) and "AI's draft" in card.text
    await teams.press(card, "write", who=AGENT, tenant=OUR_TENANT, reply="Use Settings > Security > Reset password.")
    updated = teams.fake.updates()[-1]
    assert "Use Settings > Security > Reset password." in updated.text
    [ticket] = await teams.app.store.tickets()
    await teams.press(card, "pick", who=AGENT, tenant=OUR_TENANT, v=f"{ticket.id}:mine")
    assert "Use Settings > Security > Reset password." in teams.fake.posts(SHARED)[-1].text
    picks = [f for f in await teams.app.store.feedback() if f.kind == "collab"]
    assert picks, "the agent's pick is recorded for the report"
