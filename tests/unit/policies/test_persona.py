"""Persona enforcement as a table: what goes in, what the customer reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import policies
from bot.core.ports import Proceed, Stop
from bot.core.types import Answer, Citation
from policies.persona import PersonaRules, has_emoji, strip_emojis
from tests.unit.policies.conftest import make_ctx

RULES = PersonaRules.of(policies.default_config().persona)


@pytest.mark.parametrize(
    ("text", "complexity", "expected"),
    [
        ("Go to Settings > Billing 🎉.", 0.1, "Go to Settings > Billing."),
        ("Thank you for contacting Relaybase support! Go to Settings.", 0.1, "Go to Settings."),
        ("Hi there! Thanks for reaching out. Go to Settings.", 0.1, "Go to Settings."),
        ("Great question! Invoices are in Settings > Billing.", 0.1, "Invoices are in Settings > Billing."),
        (
            "As an AI language model, I can tell you that invoices are emailed.",
            0.1,
            "I can tell you that invoices are emailed.",
        ),
        ("I'm an AI assistant. Invoices are emailed monthly.", 0.1, "Invoices are emailed monthly."),
        ("You can leverage webhooks to sync data.", 0.1, "You can use webhooks to sync data."),
        ("Our best-in-class platform is great. Export from Settings.", 0.1, "Export from Settings."),
        ("One. Two. Three. Four.", 0.1, "One. Two."),
        ("One. Two. Three. Four. Five. Six.", 0.9, "One. Two. Three. Four. Five."),
        (
            "Retries run for 3 days, e.g. after a 500. Then replay it.",
            0.1,
            "Retries run for 3 days, e.g. after a 500. Then replay it.",
        ),
        (
            "It costs $2.50 per 1,000 events. See the pricing page.",
            0.1,
            "It costs $2.50 per 1,000 events. See the pricing page.",
        ),
        ("Open https://docs.example.com/a:b now. Done :)", 0.1, "Open https://docs.example.com/a:b now. Done"),
        (
            "Go to Settings. Click Save. Wait.\nSource: https://kb/x",
            0.1,
            "Go to Settings. Click Save.\nSource: https://kb/x",
        ),
        # A list with its intro counts once toward the limit and is never cut after step 2.
        (
            "Reset it:\n1. Go to Settings.\n2. Click Reset.\n3. Open the email.\nYou are signed out. Sessions end.",
            0.1,
            "Reset it:\n1. Go to Settings.\n2. Click Reset.\n3. Open the email.\nYou are signed out.",
        ),
        # A list that does not fit goes whole, with the sentence that introduced it.
        ("Plans differ. Growth is $299. To upgrade:\n1. Go to Billing.\n2. Click Upgrade.", 0.1, "Plans differ. Growth is $299."),
        # Rewriting happens inside list items too; the markers are untouched.
        ("To connect:\n- Kindly leverage the API.\n- Done 🎉", 0.1, "To connect:\n- Please use the API.\n- Done"),
        ("1. Go to Settings\n2. Click Save\nMore: https://kb/x", 0.1, "1. Go to Settings\n2. Click Save\nMore: https://kb/x"),
    ],
)
def test_replies_are_reshaped(text: str, complexity: float, expected: str) -> None:
    out, _ = RULES.apply(text, complexity)
    assert out == expected
    assert RULES.violations(out, complexity) == []


def test_conforming_reply_is_left_alone(step: Callable[[str], Any]) -> None:
    answer = Answer("Invoices are in Settings > Billing.", 0.9, citations=(Citation("a", "Invoices"),))
    assert step("persona").check(make_ctx("q", complexity=0.1), answer) == Proceed()


def test_citations_are_kept(step: Callable[[str], Any]) -> None:
    cites = (Citation("billing-invoices", "Invoices", "https://kb/inv"),)
    outcome = step("persona").check(
        make_ctx("q", complexity=0.1), Answer("Hello! Invoices are emailed 😀.", 0.9, citations=cites)
    )
    assert isinstance(outcome, Proceed) and outcome.answer is not None
    assert outcome.answer.citations == cites and outcome.answer.text == "Invoices are emailed."


def test_nothing_left_is_blocked(step: Callable[[str], Any]) -> None:
    outcome = step("persona").check(make_ctx("q"), Answer("Thanks for reaching out! 🎉", 0.9))
    assert isinstance(outcome, Stop) and outcome.reason == "guardrail"


def test_violations_name_what_is_wrong() -> None:
    found = RULES.violations("Thank you for contacting us! As an AI I love synergy 😀. A. B. C.", 0.0)
    assert {"emoji", "opener", "ai preamble"} <= set(found)
    assert any(v.startswith("banned") for v in found) and any("sentences" in v for v in found)


@pytest.mark.parametrize("text", ["🎉", "done ✅", "ok :)", "hey ;-)", "<3", "🇩🇪"])
def test_emojis_and_emoticons(text: str) -> None:
    assert has_emoji(text) and not has_emoji(strip_emojis(text))


def test_config_limits_apply() -> None:
    config = policies.default_config().persona.model_copy(update={"max_sentences_simple": 1})
    out, _ = PersonaRules.of(config).apply("One. Two.", 0.0)
    assert out == "One."
