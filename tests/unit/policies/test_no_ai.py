"""The "no AI answers" step: typed in every shipped language, the button, and quiet handoffs afterwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.core.ports import History, Proceed, Stop, StopAction
from bot.core.types import InboundKind
from tests.unit.policies.conftest import make_ctx


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("No AI answers please, I want a person.", "en"),
        ("I don't want to talk to a bot anymore", "en"),
        ("Bitte keine KI-Antworten mehr.", "de"),
        ("Ich möchte keine KI, nur Menschen bitte", "de"),
        ("No quiero respuestas de IA, gracias", "es"),
        ("Je ne veux pas d'IA, merci", "fr"),
        ("Não quero respostas de IA", "pt"),
        ("Non voglio risposte dell'IA, grazie", "it"),
        ("Ik wil geen AI, alleen mensen graag", "nl"),
    ],
)
def test_typed_requests_in_each_language(step: Callable[[str], Any], text: str, language: str) -> None:
    outcome = step("no_ai").check(make_ctx(text, language=language))
    assert isinstance(outcome, Stop) and outcome.reason == "no_ai_requested", outcome
    assert outcome.detail.startswith("typed") and outcome.text and not outcome.quiet


@pytest.mark.parametrize(
    "text",
    [
        "Is there an AI summary of failed deliveries?",
        "Can I turn off the AI summary in the dashboard?",
        "Does the API support bots posting events?",
        "no bot",  # a one-off request for a person: the human-request step's
        "How do I reset my password?",
    ],
)
def test_questions_about_ai_features_are_not_requests(step: Callable[[str], Any], text: str) -> None:
    assert isinstance(step("no_ai").check(make_ctx(text)), Proceed)


def test_the_button(step: Callable[[str], Any]) -> None:
    outcome = step("no_ai").check(make_ctx("", kind=InboundKind.NO_AI, language="de"))
    assert isinstance(outcome, Stop) and outcome.detail == "button"
    assert outcome.text.startswith("Verstanden")


def test_later_messages_go_to_people_quietly(step: Callable[[str], Any]) -> None:
    ctx = replace(make_ctx("How do I rotate an API key?"), no_ai=True)
    outcome = step("no_ai").check(ctx)
    assert isinstance(outcome, Stop) and outcome.action is StopAction.ESCALATE
    assert (outcome.reason, outcome.quiet, outcome.text) == ("no_ai", True, "")
    # A plain thanks (to the person who answered) needs no new handoff.
    thanks = replace(make_ctx("thanks a lot!", history=History(customer_texts=("q",))), no_ai=True)
    assert isinstance(step("no_ai").check(thanks), Stop) and step("no_ai").check(thanks).action is StopAction.IGNORE
