"""Policies where the customer can see them, through the web playground's real HTTP API (adapters.server).

Refund requests become a handoff to billing with the sensitive reason in the "why" line; a German customer of an
English-only knowledge base is told in German that a person will reply; a plain "thanks" gets no bot message.
"""

from __future__ import annotations

from tests.adapters.web.conftest import Playground, make_playground, playground  # noqa: F401 - fixtures


async def test_refund_request_is_handed_to_billing_with_its_reason(playground: Playground) -> None:  # noqa: F811
    await playground.say("I want a refund for last month, we were charged twice", thread="t-refund")
    bot = [m for m in await playground.latest("t-refund") if m["role"] == "bot"]
    assert bot and bot[-1]["why"]["label"] == "Handed to a person: Sensitive topic (a billing dispute): a person answers, never the AI"
    assert bot[-1]["why"]["reason"] == "sensitive:billing_dispute"  # the code stays in the JSON for tools
    assert "passed it to our team" in bot[-1]["text"]
    [ticket] = [t for t in await playground.tickets() if t["thread"] == "t-refund"]
    assert ticket["team"] == "billing"
    assert playground.answerer.asked == []  # decided before the knowledge base was asked


async def test_language_without_knowledge_is_answered_by_a_person_in_that_language(
    playground: Playground,  # noqa: F811
) -> None:
    await playground.say("Wie kann ich mein Passwort zurücksetzen?", thread="t-de")
    bot = [m for m in await playground.latest("t-de") if m["role"] == "bot"]
    assert bot and "language" in bot[-1]["why"]["label"]
    assert "Team" in bot[-1]["text"] and "Thread" in bot[-1]["text"]


async def test_thanks_gets_no_reply(playground: Playground) -> None:  # noqa: F811
    await playground.say("How do I reset my password?", thread="t-thanks")
    before = [m for m in await playground.latest("t-thanks") if m["role"] == "bot"]
    await playground.say("great, thanks!", thread="t-thanks")
    after = [m for m in await playground.latest("t-thanks") if m["role"] == "bot"]
    assert len(before) == len(after) == 1
