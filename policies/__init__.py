"""Frontdesk policies: small, pure, synchronous steps around the knowledge answer, in one declared order.

`build_policies(...)` compiles the config into a `PolicySet` (input steps, output steps, phrasebook);
`default_config()` returns the shipped defaults. The order below is the contract the engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import InputPolicy, OutputPolicy, Phrasebook
from policies.config import (
    EscalationConfig,
    LanguageConfig,
    PersonaConfig,
    RoutingConfig,
    SensitiveConfig,
    TeamConfig,
)
from policies.escalation import Confidence, FailedAttempts, HumanRequest, LanguagePhrases, Relevance
from policies.persona import Persona, PersonaRules
from policies.phrases import Phrases

INPUT_ORDER = ("human_request", "failed_attempts")
OUTPUT_ORDER = ("relevance", "confidence", "persona")


@dataclass(frozen=True, slots=True)
class PolicySet:
    input: tuple[InputPolicy, ...]
    output: tuple[OutputPolicy, ...]
    phrases: Phrasebook


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """The shipped defaults of every policy section (what a config file may omit)."""

    persona: PersonaConfig
    escalation: EscalationConfig
    sensitive: SensitiveConfig
    routing: RoutingConfig
    languages: LanguageConfig
    teams: dict[str, TeamConfig]


def default_config() -> PolicyConfig:
    """The shipped defaults, validated by the same models that validate `frontdesk.toml`."""
    return PolicyConfig(
        persona=PersonaConfig.model_validate({}),
        escalation=EscalationConfig.model_validate({}),
        sensitive=SensitiveConfig.model_validate({}),
        routing=RoutingConfig.model_validate({}),
        languages=LanguageConfig.model_validate({}),
        teams={},
    )


def build_policies(
    *,
    persona: PersonaConfig,
    escalation: EscalationConfig,
    sensitive: SensitiveConfig,
    routing: RoutingConfig,
    languages: LanguageConfig,
    teams: dict[str, TeamConfig],
    kb_languages: frozenset[str],
    staff_names: frozenset[str] = frozenset(),
) -> PolicySet:
    phrases = Phrases.shipped(languages.default)
    steps_in: dict[str, InputPolicy] = {
        "human_request": HumanRequest(LanguagePhrases.of(escalation.human_phrases)),
        "failed_attempts": FailedAttempts(
            LanguagePhrases.of(escalation.failure_phrases),
            phrases,
            max_failed=escalation.max_failed_attempts,
            reask_similarity=escalation.reask_similarity,
        ),
    }
    steps_out: dict[str, OutputPolicy] = {
        "relevance": Relevance(),
        "confidence": Confidence(),
        "persona": Persona(PersonaRules.of(persona)),
    }
    return PolicySet(
        input=tuple(steps_in[name] for name in INPUT_ORDER),
        output=tuple(steps_out[name] for name in OUTPUT_ORDER),
        phrases=phrases,
    )


__all__ = ["PolicyConfig", "PolicySet", "build_policies", "default_config"]
