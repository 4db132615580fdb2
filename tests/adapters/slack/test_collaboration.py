"""Cards a person reads at a glance, and the collaboration models (MISSION §10), through signed Slack requests.

Agent-first: the agent writes (a modal that shows the AI's references), the AI offers a clearer wording when an LLM
is configured, the agent accepts, edits or declines it. Parallel: the AI's draft and the agent's reply side by side,
the agent picks. Every choice is on the card (who, when) and recorded for the override metric and the report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from adapters.slack.blocks import escape
from bot.core.types import HandoffStatus
from knowledge.writer import LlmWriter
from tests.adapters.slack.conftest import (
    AGENT,
    AGENTS,
    SHARED,
    Slack,
    all_text,
    buttons,
    make_config,
    make_settings,
    start_slack,
)
from tests.adapters.slack.fake_slack import OUR_TEAM, FakeSlack

pytestmark = pytest.mark.asyncio

WRITE = {"answer": {"text": {"type": "plain_text_input", "value": "you can reset it in settings > security, link lasts 30 minutes"}}}
BETTER = "You can reset it under Settings > Security; the link we email you lasts 30 minutes."


async def started(fake: FakeSlack, tmp_path: Any, writer: Any = None) -> AsyncIterator[Slack]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), make_config(), writer=writer)
    yield harness
    await client.close()


@pytest.fixture
async def plain(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    async for harness in started(fake, tmp_path):
        yield harness


def latest_card(slack: Slack) -> dict[str, Any]:
    return slack.fake.called("chat.update")[-1]


async def feedback(slack: Slack, kind: str) -> list[Any]:
    return [f for f in await slack.app.store.feedback() if f.kind == kind]


# --- the card ------------------------------------------------------------------------------------------------------


async def test_the_card_leads_with_the_question_and_says_what_the_ai_answered(plain: Slack) -> None:
    slack = plain
    envelope = await slack.say("How do I reset my password?")
    await slack.say("that link does not work, can I talk to a human please", thread_ts=envelope["event"]["ts"])
    [card] = slack.fake.posts(AGENTS)
    header = card["blocks"][0]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "How do I reset my password?"}}
    text = "\n".join(b["text"]["text"] for b in card["blocks"] if b["type"] == "section" and "text" in b)
    assert "*AI answered:* “Open Settings, then Security, and choose Reset password.” (citing Reset your password)" in text
    assert "*Asked:* How do I reset my password?\n*Then:* that link does not work" in text
    assert text.count("Why:") == 1 and "The customer asked for a person" in text
    assert "*Organisation*\nMy Team" in all_text(card).replace("\\n", "\n")  # the name team.info gives, not the id
    assert [c["team"] for c in slack.fake.called("team.info")] == ["T_CUSTOMER"]
    for code in ("asked_for_human", "high", "normal"):
        assert code not in text.replace("Reset your password", "")


async def test_customer_messages_after_a_claim_update_the_card_and_notify_the_agent(plain: Slack) -> None:
    slack = plain
    envelope = await slack.say("My quantum flux capacitor is humming")
    thread = envelope["event"]["ts"]
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    shared_before = len(slack.fake.posts(SHARED))
    await slack.say("It started after the firmware update on Monday", thread_ts=thread)
    assert len(slack.fake.posts(SHARED)) == shared_before  # the AI stays quiet
    updated = latest_card(slack)
    assert updated["ts"] == card["_ts"]
    assert "New from the customer since the handoff" in all_text(updated)
    assert "It started after the firmware update on Monday" in all_text(updated)
    notice = slack.fake.posts(AGENTS)[-1]
    assert notice["thread_ts"] == card["_ts"]  # under the card, naming the agent who claimed it
    assert f"<@{AGENT}>" in all_text(notice) and "firmware update" in all_text(notice)


async def test_hand_back_tells_the_customer_and_the_ai_answers_again(plain: Slack) -> None:
    slack = plain
    envelope = await slack.say("My quantum flux capacitor is humming")
    thread = envelope["event"]["ts"]
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user=AGENT, team=OUR_TEAM)
    await slack.click(latest_card(slack) | {"_ts": card["_ts"], "channel": AGENTS}, "hand_back", user=AGENT, team=OUR_TEAM)
    told = slack.fake.posts(SHARED)[-1]
    assert f"<@{AGENT}> has handed this conversation back to me" in told["text"]
    updated = all_text(latest_card(slack))
    assert "Handed back to the AI" in updated and "Resolved" not in updated
    [ticket] = await slack.app.store.tickets()
    assert ticket.handoff.handed_back and ticket.handoff.events[-1].agent == AGENT
    await slack.say("How do I reset my password?", thread_ts=thread)
    assert "Reset password" in slack.fake.posts(SHARED)[-1]["text"]  # the AI answers again


# --- agent-first ---------------------------------------------------------------------------------------------------


async def test_agent_first_without_an_llm_the_agent_writes_with_references(plain: Slack) -> None:
    slack = plain
    await slack.command("mode agent-first")
    await slack.say("How do I reset my password?")
    card = slack.fake.posts(AGENTS)[0]
    assert buttons(card["blocks"]) == ["claim", "write"]
    text = all_text(card)
    assert "References" in text and "the link we email you works for 30 minutes" in text  # the passage, not a draft
    assert "Open Settings, then Security" not in text  # the AI does not write the answer in agent-first
    await slack.click(card, "write", user=AGENT, team=OUR_TEAM)
    view = slack.fake.called("views.open")[-1]["view"]
    assert "References the AI found" in all_text({"blocks": view["blocks"]})
    await slack.submit(view, WRITE, user=AGENT, team=OUR_TEAM)
    assert slack.fake.posts(SHARED)[-1]["text"] == escape(WRITE["answer"]["text"]["value"])
    assert "Replied in their own words" in all_text(latest_card(slack))
    assert [f.reason for f in await feedback(slack, "collab")] == ["wrote"]


@pytest.fixture
async def with_llm(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    # Calls in order: the handoff summary, then the improved wording of the agent's reply.
    model = FakeListChatModel(
        responses=[
            "The customer asked how to reset their password. The AI has not answered yet; the channel is agent-first.",
            BETTER,
        ]
    )
    async for harness in started(fake, tmp_path, LlmWriter(model)):
        yield harness


@pytest.mark.parametrize(("choice", "sent", "event"), [("improved", BETTER, "suggestion_accepted"), ("mine", WRITE["answer"]["text"]["value"], "suggestion_rejected")])
async def test_agent_first_with_an_llm_offers_a_better_wording(with_llm: Slack, choice: str, sent: str, event: str) -> None:
    slack = with_llm
    await slack.command("mode agent-first")
    await slack.say("How do I reset my password?")
    card = slack.fake.posts(AGENTS)[0]
    assert "The customer asked how to reset their password." in all_text(card)  # the LLM's summary
    await slack.click(card, "write", user=AGENT, team=OUR_TEAM)
    await slack.submit(slack.fake.called("views.open")[-1]["view"], WRITE, user=AGENT, team=OUR_TEAM)
    offered = latest_card(slack) | {"_ts": card["_ts"], "channel": AGENTS}
    assert "AI's suggested wording" in all_text(offered) and escape(BETTER) in all_text(offered)
    assert buttons(offered["blocks"])[:3] == ["pick", "pick", "pick"]
    await slack.click(offered, "pick", user=AGENT, team=OUR_TEAM, value=f":{choice}")
    assert slack.fake.posts(SHARED)[-1]["text"] == escape(sent)
    [record] = await feedback(slack, "collab")
    assert (record.reason, record.actor_id) == (event, AGENT)
    [override] = await feedback(slack, "rewrite")
    assert override.rewrote is (choice == "mine")


async def test_agent_first_edits_the_ai_wording_in_a_modal(with_llm: Slack) -> None:
    slack = with_llm
    await slack.command("mode agent-first")
    await slack.say("How do I reset my password?")
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "write", user=AGENT, team=OUR_TEAM)
    await slack.submit(slack.fake.called("views.open")[-1]["view"], WRITE, user=AGENT, team=OUR_TEAM)
    offered = latest_card(slack) | {"_ts": card["_ts"], "channel": AGENTS}
    await slack.click(offered, "pick", user=AGENT, team=OUR_TEAM, value=":edited")
    view = slack.fake.called("views.open")[-1]["view"]
    assert view["blocks"][-1]["element"]["initial_value"] == BETTER
    final = BETTER.replace("lasts", "is valid for")
    await slack.submit(view, {"answer": {"text": {"type": "plain_text_input", "value": final}}}, user=AGENT, team=OUR_TEAM)
    assert slack.fake.posts(SHARED)[-1]["text"] == escape(final)
    assert [f.reason for f in await feedback(slack, "collab")] == ["suggestion_edited"]


# --- parallel ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("choice", "event", "rewrote"), [("mine", "picked_agent", True), ("ai", "picked_ai", False)])
async def test_parallel_shows_both_answers_and_records_the_pick(plain: Slack, choice: str, event: str, rewrote: bool) -> None:
    slack = plain
    await slack.command("mode parallel")
    await slack.say("How do I reset my password?")
    card = slack.fake.posts(AGENTS)[0]
    assert "AI's draft" in all_text(card) and "Open Settings, then Security" in all_text(card)
    await slack.click(card, "write", user=AGENT, team=OUR_TEAM)
    await slack.submit(slack.fake.called("views.open")[-1]["view"], WRITE, user=AGENT, team=OUR_TEAM)
    both = latest_card(slack) | {"_ts": card["_ts"], "channel": AGENTS}
    text = all_text(both)
    assert "AI's draft" in text and f"Reply by <@{AGENT}>" in text and "link lasts 30 minutes" in text
    await slack.click(both, "pick", user=AGENT, team=OUR_TEAM, value=f":{choice}")
    sent = slack.fake.posts(SHARED)[-1]["text"]
    assert ("Open Settings, then Security" in sent) is (choice == "ai")
    [record] = await feedback(slack, "collab")
    assert record.reason == event
    assert [f.rewrote for f in await feedback(slack, "rewrite")] == [rewrote]
    [ticket] = await slack.app.store.tickets(HandoffStatus.CLAIMED)
    assert ticket.handoff.events[-1].kind == event and ticket.handoff.proposal is None
    assert ("Sent the AI's draft" if choice == "ai" else "Sent their own reply") in all_text(latest_card(slack))
