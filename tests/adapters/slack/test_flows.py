"""Transcripts through the real entry point: signed requests to /slack/events, replies seen by the fake Web API."""

from __future__ import annotations

import json

from bot.core.types import HandoffStatus
from tests.adapters.slack.conftest import (
    ADMIN,
    AGENT,
    AGENTS,
    CUSTOMER,
    SHARED,
    Slack,
    all_text,
    buttons,
    message_event,
)
from tests.adapters.slack.fake_slack import OUR_TEAM


async def test_customer_question_is_answered_in_its_thread_with_sources_and_buttons(slack: Slack) -> None:
    envelope = await slack.say("How do I reset my password?")
    posts = slack.fake.posts(SHARED)
    assert len(posts) == 1
    reply = posts[0]
    assert reply["thread_ts"] == envelope["event"]["ts"]
    assert "Security" in reply["text"]
    assert "<https://kb.example.com/reset|Reset your password>" in json.dumps(reply["blocks"])
    assert buttons(reply["blocks"]) == ["helpful", "not_helpful", "human", "no_ai"]

    # A follow-up in the thread is the same conversation (the context is kept) and is answered in the thread.
    await slack.say("and my password on mobile?", thread_ts=envelope["event"]["ts"])
    assert [p["thread_ts"] for p in slack.fake.posts(SHARED)] == [envelope["event"]["ts"]] * 2
    conversation = await slack.app.store.load_conversation(f"slack:{OUR_TEAM}:{SHARED}:{envelope['event']['ts']}")
    assert conversation is not None and len(conversation.customer_texts()) == 2


async def test_edits_joins_bots_and_our_own_messages_are_ignored(slack: Slack) -> None:
    await slack.say("edited password text", subtype="message_changed", hidden=True)
    await slack.say("joined", subtype="channel_join")
    await slack.say("password from another app", bot_id="B_OTHER", bot_profile={"id": "B_OTHER"})
    await slack.say("password from a classic bot", subtype="bot_message", bot_id="B_OLD")
    await slack.say("password echo of ourselves", user="U_FRONTDESK", team=OUR_TEAM)
    assert slack.fake.posts() == []


async def test_slack_retry_of_the_same_event_gets_one_reply(slack: Slack) -> None:
    envelope = message_event("password help please")
    first = await slack.event(envelope, settle=False)
    second = await slack.event(envelope, retry=1)
    assert (first.status, second.status) == (200, 200)
    assert len(slack.fake.posts(SHARED)) == 1


async def test_rate_limited_reply_is_retried_after_retry_after_and_not_lost(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", 429)
    await slack.say("password reset?")
    attempts = slack.fake.posts(SHARED)
    assert len(attempts) == 2  # the 429 and the successful retry
    assert attempts[0]["text"] == attempts[1]["text"]
    decisions = await slack.app.store.decisions()
    assert decisions and all(d.delivered for d in decisions)


async def test_one_click_handoff_posts_the_card_at_the_click_and_the_reason_adds_detail(slack: Slack) -> None:
    envelope = await slack.say("How do I reset my password?")
    answer = slack.fake.posts(SHARED)[0]
    await slack.click(answer, "human")
    # The handoff happened at the click: notice and card, before any dialog is answered.
    notice = slack.fake.posts(SHARED)[-1]
    assert notice["thread_ts"] == envelope["event"]["ts"] and "person" in notice["text"]
    cards = slack.fake.posts(AGENTS)
    assert len(cards) == 1
    card = all_text(cards[0])
    assert buttons(cards[0]["blocks"]) == ["claim"]
    assert "asked for a person" in card
    assert f"<@{CUSTOMER}>" in card and "My Team" in card  # the organisation by name (team.info), not T_CUSTOMER
    assert "https://ours.slack.com/archives/C_SHARED/p" in card  # chat.getPermalink of the thread
    opened = slack.fake.called("views.open")
    assert len(opened) == 1 and opened[0]["view"]["callback_id"] == "fd_human"
    reason = {
        "reason": {
            "choice": {
                "type": "static_select",
                "selected_option": {"value": "urgent", "text": {"type": "plain_text", "text": "It's urgent"}},
            }
        }
    }
    await slack.submit(opened[0]["view"], reason)
    assert len(slack.fake.posts(AGENTS)) == 1  # no second handoff
    assert "urgent" in all_text(slack.fake.called("chat.update")[-1])  # the card now says why
    [ticket] = await slack.app.store.tickets()
    assert ticket.handoff.customer_reason == "urgent"
    reasons = [f for f in await slack.app.store.feedback() if f.kind == "escalation_reason"]
    assert [r.reason for r in reasons] == ["urgent"]


async def test_reason_is_optional_closing_the_dialog_still_hands_off(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    await slack.click(slack.fake.posts(SHARED)[0], "human")
    assert len(slack.fake.posts(AGENTS)) == 1
    await slack.submit(slack.fake.called("views.open")[0]["view"], {})
    assert len(slack.fake.posts(AGENTS)) == 1


async def test_engine_escalation_goes_to_the_routed_team_channel(slack: Slack) -> None:
    await slack.command("route support #C_SUPPORT".replace("#C_SUPPORT", "<#CSUPPORT1|support>"))
    await slack.say("My quantum flux capacitor is humming")  # nothing in the KB
    cards = slack.fake.posts("CSUPPORT1")
    assert len(cards) == 1 and "Nothing in the knowledge base" in all_text(cards[0])
    assert "person" in slack.fake.posts(SHARED)[-1]["text"]


async def test_claim_silences_the_ai_and_agent_replies_are_human_turns(slack: Slack) -> None:
    envelope = await slack.say("My quantum flux capacitor is humming")
    thread = envelope["event"]["ts"]
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    updated = slack.fake.called("chat.update")[-1]
    assert updated["ts"] == card["_ts"] and f"Claimed by <@{AGENT}>" in all_text(updated)
    assert buttons(updated["blocks"]) == ["resolve", "hand_back"]
    assert f"<@{AGENT}>" in slack.fake.posts(SHARED)[-1]["text"]  # the customer is told who is on it

    before = len(slack.fake.posts(SHARED))
    await slack.say("How do I reset my password?", thread_ts=thread)  # the AI stays silent now
    await slack.say("Let me check that for you.", user=AGENT, team=OUR_TEAM, thread_ts=thread)
    assert len(slack.fake.posts(SHARED)) == before
    conversation = await slack.app.store.load_conversation(f"slack:{OUR_TEAM}:{SHARED}:{thread}")
    assert conversation is not None
    assert [t.role.value for t in conversation.turns][-2:] == ["customer", "agent"]


async def test_agent_reply_in_an_escalated_thread_claims_it(slack: Slack) -> None:
    envelope = await slack.say("My quantum flux capacitor is humming")
    await slack.say("On it!", user=AGENT, team=OUR_TEAM, thread_ts=envelope["event"]["ts"])
    tickets = await slack.app.store.tickets(HandoffStatus.CLAIMED)
    assert [t.agent for t in tickets] == [AGENT]


async def test_resolve_asks_csat_and_the_rewrite_question(slack: Slack) -> None:
    envelope = await slack.say("How do I reset my password?")
    thread = envelope["event"]["ts"]
    await slack.say("that did not help, I want a human", thread_ts=thread)
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    claimed = slack.fake.called("chat.update")[-1]
    await slack.click({**claimed, "_ts": card["_ts"], "channel": AGENTS}, "resolve", user=AGENT, team=OUR_TEAM)

    csat = slack.fake.posts(SHARED)[-1]
    assert csat["thread_ts"] == thread and buttons(csat["blocks"]) == ["csat"] * 5
    question = slack.fake.posts(AGENTS)[-1]
    assert question["thread_ts"] == card["_ts"] and "rewrite" in all_text(question)
    assert f"<@{AGENT}>" in all_text(question)

    await slack.click(csat, "csat")  # the first button: 1
    await slack.click(question, "rewrite", user=AGENT, team=OUR_TEAM)
    feedback = await slack.app.store.feedback()
    assert [f.score for f in feedback if f.kind == "csat"] == [1]
    assert [f.rewrote for f in feedback if f.kind == "rewrite"] == [True]
    assert "Resolved by" in all_text(slack.fake.called("chat.update")[-3])

    # A new message re-opens the thread for the AI without looping back into a handoff.
    await slack.say("One more: how do I reset my password?", thread_ts=thread)
    assert "Security" in slack.fake.posts(SHARED)[-1]["text"]
    assert len(slack.fake.posts(AGENTS)) == 2  # the card and the rewrite question; no new card


async def test_external_user_cannot_press_agent_buttons(slack: Slack) -> None:
    await slack.say("My quantum flux capacitor is humming")
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim")  # a customer-side user
    assert await slack.app.store.tickets(HandoffStatus.CLAIMED) == []
    assert slack.fake.called("chat.postEphemeral")


async def test_double_claim_is_refused_with_an_ephemeral_message(slack: Slack) -> None:
    await slack.say("My quantum flux capacitor is humming")
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    await slack.click(card, "claim", user="U_OTHER_AGENT", team=OUR_TEAM)
    ephemeral = slack.fake.called("chat.postEphemeral")
    assert ephemeral and ephemeral[-1]["user"] == "U_OTHER_AGENT" and "already claimed" in ephemeral[-1]["text"]


async def test_helpful_and_not_helpful_feedback(slack: Slack) -> None:
    envelope = await slack.say("How do I reset my password?")
    answer = slack.fake.posts(SHARED)[0]
    await slack.click(answer, "helpful")
    await slack.click(answer, "not_helpful")
    feedback = [f for f in await slack.app.store.feedback() if f.kind == "helpful"]
    assert [f.helpful for f in feedback] == [True, False]
    # "Not helpful" is a failed attempt: the AI asks for more, in the thread.
    assert slack.fake.posts(SHARED)[-1]["thread_ts"] == envelope["event"]["ts"]
    assert len(slack.fake.posts(SHARED)) == 2


async def test_sensitive_topic_gets_no_ai_answer_first(slack: Slack) -> None:
    envelope = await slack.say("You charged me twice for my invoice, I want a refund")
    shared = slack.fake.posts(SHARED)
    assert len(shared) == 1 and shared[0]["thread_ts"] == envelope["event"]["ts"]
    assert "Billing, then History" not in shared[0]["text"] and "person" in shared[0]["text"]
    cards = slack.fake.posts(AGENTS) + slack.fake.posts("C_BILLING")
    assert len(cards) == 1 and "Sensitive topic" in all_text(cards[0])


async def test_vip_added_by_an_admin_goes_straight_to_a_person(slack: Slack) -> None:
    await slack.command("vip add T_CUSTOMER")
    await slack.say("How do I reset my password?")
    assert "Security" not in slack.fake.posts(SHARED)[-1]["text"]
    card = (slack.fake.posts(AGENTS) + slack.fake.posts("C_BILLING"))[0]
    assert "VIP" in all_text(card)


async def test_pressing_talk_to_a_human_again_says_a_person_already_has_it(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    answer = slack.fake.posts(SHARED)[0]
    for _ in range(2):
        await slack.click(answer, "human")
    assert len(slack.fake.posts(AGENTS)) == 1
    ephemeral = slack.fake.called("chat.postEphemeral")[-1]
    assert ephemeral["user"] == CUSTOMER and "person" in ephemeral["text"]


async def test_when_the_reason_dialog_cannot_open_the_handoff_still_happens(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    slack.fake.fail_next("views.open", 200, {"ok": False, "error": "expired_trigger_id"})
    await slack.click(slack.fake.posts(SHARED)[0], "human")
    assert len(slack.fake.posts(AGENTS)) == 1


async def test_agent_who_answers_in_the_thread_is_named_to_the_customer(slack: Slack) -> None:
    envelope = await slack.say("My quantum flux capacitor is humming")
    await slack.say("Checking now", user=AGENT, team=OUR_TEAM, thread_ts=envelope["event"]["ts"])
    assert f"<@{AGENT}>" in slack.fake.posts(SHARED)[-1]["text"]


async def test_customer_text_cannot_ping_the_agents_channel(slack: Slack) -> None:
    # Slack escapes literal "<!channel>" typed by a person as &lt;!channel&gt;; a real broadcast is <!channel>.
    await slack.say("&lt;!channel&gt; <!here> my quantum flux capacitor is humming")
    card = all_text(slack.fake.posts(AGENTS)[0])
    assert "<!channel>" not in card and "<!here>" not in card
    assert "&lt;!channel&gt;" in card


async def test_a_threat_is_escalated_and_reported_to_admins(slack: Slack) -> None:
    await slack.say("Fix this today or I will come to your office and hurt you")
    shared = slack.fake.posts(SHARED)
    assert len(shared) == 1 and "person" in shared[0]["text"]
    cards = slack.fake.posts(AGENTS) + slack.fake.posts("C_BILLING")
    assert len(cards) == 1 and "Reported to the Frontdesk admins" in all_text(cards[0])
    [report] = slack.fake.posts(ADMIN)
    assert "threat or abuse" in report["text"]


async def test_an_ordinary_handoff_is_not_reported(slack: Slack) -> None:
    await slack.say("can I talk to a human please")
    assert slack.fake.posts(ADMIN) == []
