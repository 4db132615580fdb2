"""Guardrails on AI replies as a table: internal content, people, personal data, invented numbers, tone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.ports import Proceed, Stop
from bot.core.types import Answer, ArticleHit, Audience, ChannelPolicy, Citation, TokenUsage
from tests.unit.policies.conftest import make_ctx

SOURCE = ArticleHit(
    "billing-annual",
    "Annual billing",
    0.9,
    snippet="Growth costs $2,990/year instead of $3,588. Write to billing@relaybase.example.",
)
LLM = TokenUsage(100, 40, 0.001)
EXTRACTIVE = TokenUsage()


def answer(text: str, *, usage: TokenUsage = EXTRACTIVE, article: ArticleHit = SOURCE) -> Answer:
    return Answer(
        text, 0.9, (article,), (Citation(article.article_id, article.title, snippet=article.snippet),), usage=usage
    )


@pytest.mark.parametrize(
    ("reply", "blocked"),
    [
        (answer("Growth costs $2,990/year."), None),
        (answer("Growth costs $2,990/year.", usage=LLM), None),
        (answer("Growth costs $2,490/year.", usage=LLM), 'contradicts its source: price "$2,490"'),
        (answer("You get 3 months free.", usage=LLM), "numbers not in the source"),
        (answer("Write to billing@relaybase.example for a copy."), None),
        (answer("Write to dana.smith@gmail.com for a copy."), "personal data (email address)"),
        (answer("Call Dana on +1 415 555 0199 today.", usage=LLM), "personal data (phone number)"),
        (answer("Call us on +1 415 555 0199 today."), None),
        (answer("Email support@acme.io or dpo@acme.io."), None),
        (answer("The card 4111 1111 1111 1111 was charged."), "personal data (card number)"),
        (answer("Maria Lopez from billing will handle it."), "names Maria Lopez, a member of staff"),
        (answer("Ask Maria in the billing channel."), "names Maria, a member of staff"),
        (answer("Ask Sarah Connor on our billing team.", usage=LLM), "sends the customer to Sarah Connor"),
        (answer("Ask <@U123ABC> in the channel."), "mentions"),
        (answer("Ask @dana in the channel."), "mentions"),
        (answer("This is a terrible, awful, horrible mess and we hate it."), "negative tone"),
        (
            answer(
                "Growth costs $2,990/year.",
                article=ArticleHit("internal-discounts", "Discounts", 0.9, audience=Audience.INTERNAL),
            ),
            "internal article",
        ),
        (answer("See the 2026-03-11 release notes, step 1. is easy."), None),
    ],
)
def test_guardrails(step: Callable[[str], Any], reply: Answer, blocked: str | None) -> None:
    outcome = step("guardrails").check(make_ctx("q"), reply)
    if blocked is None:
        assert isinstance(outcome, Proceed), outcome
    else:
        assert isinstance(outcome, Stop) and outcome.reason == "guardrail"
        assert outcome.detail.startswith(blocked), outcome.detail


def test_internal_articles_are_fine_in_an_agents_channel(step: Callable[[str], Any]) -> None:
    internal = ArticleHit("internal-discounts", "Discounts", 0.9, audience=Audience.INTERNAL)
    ctx = make_ctx("q", channel=ChannelPolicy(audience=Audience.INTERNAL))
    assert isinstance(step("guardrails").check(ctx, answer("Use code X.", article=internal)), Proceed)


def test_numbers_are_checked_against_the_full_grounding_passages(step: Callable[[str], Any]) -> None:
    """An LLM answer may use a fact from deeper in the passage than the snippet shows: that is not a contradiction."""
    passage = "Growth costs $2,990/year instead of $3,588. Retries continue for 72 hours with backoff."
    grounded = Answer("Retries continue for 72 hours.", 0.9, (SOURCE,), usage=LLM, passages=(passage,))
    assert isinstance(step("guardrails").check(make_ctx("q"), grounded), Proceed)
    invented = Answer("Retries continue for 96 hours.", 0.9, (SOURCE,), usage=LLM, passages=(passage,))
    outcome = step("guardrails").check(make_ctx("q"), invented)
    assert isinstance(outcome, Stop)
    assert outcome.detail == 'contradicts its source: duration "96 hours" where the source says "72 hours"'
    unrelated = Answer("You get 3 months free.", 0.9, (SOURCE,), usage=LLM, passages=(passage,))
    outcome = step("guardrails").check(make_ctx("q"), unrelated)
    assert isinstance(outcome, Stop) and outcome.detail == "numbers not in the source: 3"
