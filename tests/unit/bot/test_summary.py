"""The JSON shape of a decision: a policy's stock reply shows no confidence; every decision shows its language."""

from __future__ import annotations

from bot.core.types import ArticleHit, Ignore, Reply, Respond
from bot.orchestration.summary import describe

HIT = ArticleHit("account-reset-password", "Reset your password", 0.9)


def test_a_policy_reply_has_no_confidence_and_an_answer_has_one() -> None:
    greeting = describe(Respond(Reply("Hallo! Wobei kann ich Ihnen helfen?"), "greeting", 0.0, "de"))
    assert greeting["decision"] == "answer" and greeting["confidence"] is None and greeting["language"] == "de"
    answer = describe(Respond(Reply("Use Forgot password."), "answered", 0.91, "en", (HIT,)))
    assert answer["confidence"] == 0.91 and answer["articles"][0]["id"] == "account-reset-password"


def test_an_ignore_carries_its_language() -> None:
    assert describe(Ignore("acknowledged", language="es"))["language"] == "es"
