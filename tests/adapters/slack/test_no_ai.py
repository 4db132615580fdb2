"""A customer's "no AI answers" through Slack's real entry point: the button, the typed request, a quiet handoff for
every later message, `/frontdesk optout` to list and clear; and agents' names learnt for the guardrails."""

from __future__ import annotations

from tests.adapters.slack.conftest import AGENT, AGENTS, SHARED, Slack, all_text, buttons
from tests.adapters.slack.fake_slack import OUR_TEAM


async def test_the_no_ai_button_hands_every_later_message_to_people(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    [answer] = slack.fake.posts(SHARED)
    assert "no_ai" in buttons(answer["blocks"])
    await slack.click(answer, "no_ai")
    confirmation = slack.fake.posts(SHARED)[-1]
    assert "a person from our team will answer your messages" in confirmation["text"]
    [card] = slack.fake.posts(AGENTS)
    assert "asked for no AI answers" in all_text(card)

    # A new question in a new thread: a card for people, and not a word from the AI.
    before = len(slack.fake.posts(SHARED))
    await slack.say("How do I reset my password on mobile?")
    assert len(slack.fake.posts(SHARED)) == before
    later = slack.fake.posts(AGENTS)[-1]
    assert "This customer asked for no AI answers" in all_text(later)

    listing = await slack.command("optout")
    assert listing["text"].startswith("*Customers who asked for no AI answers* (1;"), listing
    assert "<@U_CUST> (T_CUSTOMER) on slack" in listing["text"] and "(button)" in listing["text"]
    cleared = await slack.command("optout clear all")
    assert "AI answers are back on for 1 customer" in cleared["text"]
    assert (await slack.command("optout"))["text"] == "No customer has asked for no AI answers."
    await slack.say("How do I reset my password, please?")
    assert "Security" in slack.fake.posts(SHARED)[-1]["text"]  # the AI answers again


async def test_typed_no_ai_in_german_is_confirmed_in_german(slack: Slack) -> None:
    await slack.say("Bitte keine KI-Antworten mehr, ich möchte mit Menschen schreiben.")
    [reply] = slack.fake.posts(SHARED)
    assert "Ab jetzt beantwortet eine Person" in reply["text"]
    assert "typed" in (await slack.command("optout"))["text"]


async def test_optout_clear_needs_a_match_and_an_admin(slack: Slack) -> None:
    assert "Nothing was changed" in (await slack.command("optout clear nobody"))["text"]
    assert "only Frontdesk admins" in (await slack.command("optout", user=AGENT))["text"]
    assert "usage" in (await slack.command("optout remove x"))["text"]


async def test_an_agent_acting_on_a_card_is_learnt_by_real_name(slack: Slack) -> None:
    slack.fake.users[AGENT] = {"id": AGENT, "profile": {"real_name": "Sarah Connor", "display_name": "sarah"}}
    await slack.say("I want to talk to a human about my invoice")
    card = (slack.fake.posts(AGENTS) + slack.fake.posts("C_BILLING"))[-1]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    staff = slack.app.staff
    assert staff is not None and "Sarah Connor" in staff.names()
