"""Language: per-message detection restricted to the configured languages, sticky for short messages, and
languages without a knowledge base routed to humans or to the fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.errors import ConfigError
from bot.core.ports import History, Proceed, Stop
from bot.core.types import InboundKind
from policies.config import LanguageConfig
from policies.language import Detector, LanguageKnowledge
from policies.phrases import Phrases
from tests.unit.policies.conftest import make_ctx


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("How do I reset my password?", "en", "en"),
        ("Wie setze ich mein Passwort zurück?", "en", "de"),
        ("¿Cómo cambio el correo de mi cuenta?", "en", "es"),
        ("Comment télécharger mes factures ?", "en", "fr"),
        ("Como faço para alterar a minha senha?", "en", "pt"),
        ("Come posso scaricare le fatture?", "en", "it"),
        # Short or ambiguous messages keep the conversation's language.
        ("ok", "de", "de"),
        ("gracias", "en", "en"),
        ("agent", "es", "es"),
        ("👍", "de", "de"),
        ("https://example.com/x 404", "es", "es"),
        # Code-switching: a confident English message in a German thread switches.
        ("Thanks, and how do I add a teammate to the workspace?", "de", "en"),
    ],
)
def test_detection(step: Callable[[str], Any], text: str, current: str, expected: str) -> None:
    outcome = step("language").check(make_ctx(text, language=current, history=History(language=current)))
    language = outcome.context.language if isinstance(outcome, Proceed) and outcome.context else current
    assert language == expected, (text, outcome.detail)


def test_buttons_keep_the_language(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("", kind=InboundKind.HUMAN_REQUEST, language="de"))
    assert isinstance(outcome, Proceed) and outcome.context is None


def test_unsupported_language_in_context_falls_back_to_default(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("", kind=InboundKind.NOT_HELPFUL, language="ja"))
    assert isinstance(outcome, Proceed) and outcome.context is not None and outcome.context.language == "en"


def test_language_is_noted_for_metrics(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("Wie setze ich mein Passwort zurück?"))
    assert outcome.context is not None and outcome.context.notes["language"] == "de"
    assert "de" in outcome.detail


def test_language_without_knowledge_goes_to_humans(step: Callable[[str], Any]) -> None:
    outcome = step("language_kb").check(make_ctx("Comment télécharger mes factures ?", language="fr"))
    assert isinstance(outcome, Stop) and outcome.reason == "language"
    assert "équipe" in outcome.text
    assert isinstance(step("language_kb").check(make_ctx("q", language="de")), Proceed)


def test_fallback_language_answers_with_the_button() -> None:
    policy = LanguageKnowledge(frozenset({"en"}), Phrases.shipped(), fallback="en")
    outcome = policy.check(make_ctx("Comment télécharger mes factures ?", language="fr"))
    assert isinstance(outcome, Proceed) and outcome.context is not None
    assert outcome.context.language == "en" and outcome.context.notes["language_fallback_from"] == "fr"


def test_single_language_needs_no_detection() -> None:
    assert Detector(("en",)).detect("Wie geht's?") == ("en", 1.0, 2)


def test_unknown_language_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="xx"):
        Detector(("en", "xx"))


def test_default_must_be_supported() -> None:
    with pytest.raises(ValueError, match="default language"):
        LanguageConfig(supported=["de"], default="en")
