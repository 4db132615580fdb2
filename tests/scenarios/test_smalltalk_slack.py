"""Small talk and follow-ups as a Slack Connect customer sees them: signed events to /slack/events, replies at the fake Web API.

"Guten Tag" gets a German "How can I help?" in the thread with the "Talk to a human" button and no agents' card;
the German question after it is answered with German buttons.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import (  # noqa: F401 - fixtures
    AGENTS,
    BILLING,
    SHARED,
    Slack,
    all_text,
    buttons,
    fake,
    slack,
)


async def test_guten_tag_then_a_german_question(slack: Slack) -> None:  # noqa: F811
    first = await slack.say("Guten Tag")
    [greeting] = slack.fake.posts(SHARED)
    assert "Wobei kann ich Ihnen helfen?" in all_text(greeting)
    assert greeting.get("thread_ts") == first["event"]["ts"]
    assert buttons(greeting.get("blocks") or []) == ["human"]
    assert not slack.fake.posts(AGENTS) and not slack.fake.posts(BILLING)
    await slack.say("Wie kann ich mein password zurücksetzen?", thread_ts=first["event"]["ts"])  # the fake KB: "password"
    answer = slack.fake.posts(SHARED)[-1]
    assert "Reset password" in all_text(answer) and "Hilfreich" in all_text(answer)  # answered, German buttons


async def test_still_broken_twice_after_an_invoice_answer_reaches_the_billing_channel(slack: Slack) -> None:  # noqa: F811
    first = await slack.say("Where is my invoice?")
    thread = first["event"]["ts"]
    await slack.say("still broken", thread_ts=thread)
    assert "tell me a bit more" in all_text(slack.fake.posts(SHARED)[-1])  # asks once, like "Not helpful"
    assert not slack.fake.posts(BILLING)
    await slack.say("still broken", thread_ts=thread)
    [card] = slack.fake.posts(BILLING)
    assert "Where is my invoice?" in all_text(card) and not slack.fake.posts(AGENTS)
