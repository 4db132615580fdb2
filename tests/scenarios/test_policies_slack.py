"""Policies as a Slack Connect customer sees them: signed events to /slack/events, replies at the fake Web API.

A refund request gets the sensitive handoff notice in the thread and a card in the billing team's channel; a
French customer (no French knowledge base) is told in French that a person will reply; a typed Spanish request for
a person is honoured in Spanish.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import (  # noqa: F401 - fixtures
    BILLING,
    SHARED,
    Slack,
    all_text,
    fake,
    slack,
)


async def test_refund_request_goes_to_the_billing_channel(slack: Slack) -> None:  # noqa: F811
    await slack.say("I want a refund, you charged us twice this month")
    [notice] = slack.fake.posts(SHARED)
    assert "passed it to our team" in all_text(notice)
    cards = slack.fake.posts(BILLING)
    assert len(cards) == 1 and "billing dispute" in all_text(cards[0]).lower()


async def test_french_customer_is_told_in_french_that_a_person_will_reply(slack: Slack) -> None:  # noqa: F811
    await slack.say("Bonjour, comment puis-je télécharger mes factures du mois dernier ?")
    [notice] = slack.fake.posts(SHARED)
    assert "équipe" in all_text(notice)


async def test_typed_request_for_a_person_in_spanish(slack: Slack) -> None:  # noqa: F811
    await slack.say("Quiero hablar con una persona, por favor")
    [notice] = slack.fake.posts(SHARED)
    assert "persona" in all_text(notice) and "equipo" in all_text(notice)
