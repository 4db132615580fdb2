"""The stock sentences customers read ship in at least 20 languages, every key in every language, each in its own
language (not English left in place), with the button a sentence names spelled as the button itself."""

from __future__ import annotations

import pytest

from policies.defaults import shipped
from policies.language import _model
from policies.phrases import REQUIRED_KEYS, Phrases

RAW = shipped("phrases")
LANGUAGES = sorted(RAW)


def test_at_least_twenty_languages_ship() -> None:
    assert len(LANGUAGES) >= 20
    assert {"en", "de", "es", "fr", "pt", "it", "nl", "ja", "zh", "ko", "ar", "tr", "ru", "pl", "hi"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_exists_in_every_language(language: str) -> None:
    entries = RAW[language]
    assert set(entries) == REQUIRED_KEYS, sorted(set(entries) ^ REQUIRED_KEYS)
    assert all(isinstance(v, str) and v.strip() for v in entries.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_are_written_in_their_language(language: str) -> None:
    text = " ".join(v for k, v in RAW[language].items() if not k.startswith("label"))
    assert _model(()).classify(text)[0] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_named_buttons_match(language: str) -> None:
    phrases = Phrases.shipped()
    assert "{agent}" in RAW[language]["claimed"]
    assert phrases.say("claimed", language, agent="Ana").count("Ana") == 1
    assert phrases.say("label_human", language) in phrases.say("clarify", language)
    if language != "en":
        assert phrases.say("handoff", language) != phrases.say("handoff", "en")
