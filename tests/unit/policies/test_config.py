"""Config: shipped defaults validate, a config file may omit sections, merges are predictable, errors name keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import policies
from bot.core.errors import ConfigError
from bot.settings import load_config
from policies.config import EscalationConfig, PersonaConfig, SensitiveConfig
from policies.phrases import REQUIRED_KEYS, Phrases
from tests.unit.policies.conftest import build


def test_shipped_defaults_validate_and_fill_omitted_sections(tmp_path: Path) -> None:
    defaults = policies.default_config()
    assert set(defaults.sensitive.categories) == {
        "complaint",
        "billing_dispute",
        "data_privacy",
        "threat_abuse",
        "legal",
    }
    assert all(defaults.escalation.human_phrases[lang] for lang in ("en", "de", "es", "fr", "pt", "it"))
    assert defaults.languages.supported == []  # the knowledge base's languages
    assert defaults.persona.banned_phrases and defaults.persona.examples
    path = tmp_path / "frontdesk.toml"
    path.write_text("[routing]\nai_share = 0.3\n")
    config = load_config(path)
    assert config.sensitive == defaults.sensitive and config.persona == defaults.persona
    assert config.routing.ai_share == 0.3


def test_maps_merge_and_lists_replace() -> None:
    escalation = EscalationConfig.model_validate({"human_phrases": {"en": ["beam me up"]}})
    assert escalation.human_phrases["en"] == ["beam me up"]
    assert "mensch" in escalation.human_phrases["de"]
    persona = PersonaConfig.model_validate({"banned_phrases": ["synergy"]})
    assert persona.banned_phrases == ["synergy"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[persona]\nvoice_of = 'x'\n", "persona.voice_of"),
        ("[sensitive.categories.legal]\nteem = 'legal'\n", "sensitive.categories.legal.teem"),
        ("[sensitive.categories.legal.patterns]\nen = ['(unclosed']\n", "invalid regular expression"),
        ("[sensitive]\nsentiment_category = 'nope'\n", "sentiment_category 'nope'"),
        ("[routing]\ndefault_mode = 'robot-first'\n", "default_mode"),
        ("[persona]\nmax_sentences_simple = 4\nmax_sentences_complex = 3\n", "max_sentences_complex"),
        ("[languages]\nsupported = ['de']\n", "default language"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_config(path)


def test_use_defaults_false_keeps_only_written_categories() -> None:
    config = SensitiveConfig.model_validate(
        {"use_defaults": False, "sentiment_category": "", "categories": {"x": {"keywords": {"en": ["x"]}}}}
    )
    assert set(config.categories) == {"x"}
    with pytest.raises(ValidationError):
        SensitiveConfig.model_validate({"use_defaults": False, "categories": {}})


def test_phrases_cover_every_supported_language() -> None:
    phrases = Phrases.shipped()
    for language in phrases.languages:
        for key in REQUIRED_KEYS:
            assert phrases.say(key, language).strip() or key == "draft_notice", (language, key)
    assert phrases.say("claimed", "de", agent="Ana").startswith("Ana")
    assert phrases.say("handoff", "xh") == phrases.say("handoff", "en")  # no Xhosa phrases: English
    assert phrases.say("handoff", "es-MX") == phrases.say("handoff", "es")
    assert "{agent}" in phrases.say("claimed", "en")
    with pytest.raises(KeyError, match="no phrase 'nope'"):
        phrases.say("nope", "en")


def test_the_chain_runs_in_the_declared_order() -> None:
    policy_set = build()
    assert tuple(p.name for p in policy_set.input) == policies.INPUT_ORDER
    assert tuple(p.name for p in policy_set.output) == policies.OUTPUT_ORDER
    # After language, signals, topic (all enrichment) and the customer's lasting "no AI answers" choice.
    assert policies.INPUT_ORDER.index("no_ai") == 3
    assert policies.INPUT_ORDER.index("human_request") == 4
    assert policies.INPUT_ORDER.index("sensitive") < policies.INPUT_ORDER.index("language_kb")
