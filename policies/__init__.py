"""Frontdesk policies: small, pure, synchronous steps around the knowledge answer, in one declared order.

`build_policies(...)` compiles the config into a `PolicySet` (input steps, output steps, phrasebook);
`default_config()` returns the shipped defaults. The order below is the contract the engine runs.

Policy classes are plain (non-frozen) slotted dataclasses because the `InputPolicy` / `OutputPolicy` protocols
declare a settable `name`; they are still never mutated after construction, so every check is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.ports import InputPolicy, OutputPolicy, Phrasebook
from policies.config import (
    EscalationConfig,
    LanguageConfig,
    PersonaConfig,
    RoutingConfig,
    SensitiveConfig,
    SmallTalkConfig,
    TeamConfig,
)
from policies.demotion import Demote, DemotionConfig
from policies.escalation import Acknowledgement, Confidence, FailedAttempts, HumanRequest, LanguagePhrases, Relevance
from policies.guardrails import Guardrails
from policies.language import LanguageKnowledge, language_step
from policies.no_ai import NoAi
from policies.persona import Persona, PersonaRules
from policies.phrases import Phrases
from policies.routing import AnswerTeam, Hybrid, Share, Topics, TopicTeam, Vip
from policies.sensitive import SensitiveTopics
from policies.sentiment import Sentiment
from policies.signals import Signals
from policies.smalltalk import Greetings, SmallTalk
from policies.text import normalize

# The declared order of the chain (ARCHITECTURE.md): read the message (language, sentiment, complexity, topic),
# then the reasons a person must answer, most specific to the customer first; small talk follows the rules that send
# a customer to a person whatever they write (VIP, rollout share) and precedes the KB-language gate, since a
# greeting needs no knowledge base; the KB-language gate and the hybrid split come last because they are about our
# capacity, not the customer's request.
INPUT_ORDER = (
    "language",  # detect the message's language (everything after speaks it)
    "signals",  # sentiment and complexity
    "topic",  # the team the question's words point to
    "no_ai",  # "no AI answers for me" (typed or the button), and every later message of that customer: people
    "human_request",  # the button or a typed request: always honoured first
    "failed_attempts",  # "not helpful", "that didn't help", a re-ask: never a third AI try
    "acknowledgement",  # a plain "thanks" / "ok" / 👍 is not a question: stay quiet
    "sensitive",  # complaints, disputes, privacy, threats, legal: humans first
    "vip",  # VIP customers and orgs go straight to humans
    "share",  # only a configured share of customers gets the AI
    "smalltalk",  # "hi", "Guten Tag", "...", a bare "didn't help": not a question, so "How can I help?"
    "language_kb",  # no knowledge base in this language: humans (or the fallback language)
    "hybrid",  # hybrid channels: complex questions to humans
)
# On the proposed answer: whether it may be sent at all, then its shape, then a last check of what is sent.
# A demoted article loses confidence before the gate judges it (MISSION §7: feedback improves answers).
OUTPUT_ORDER = ("team", "relevance", "demotion", "confidence", "persona", "guardrails")


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
    smalltalk: SmallTalkConfig
    demotion: DemotionConfig


def default_config() -> PolicyConfig:
    """The shipped defaults, validated by the same models that validate `frontdesk.toml`."""
    return PolicyConfig(
        persona=PersonaConfig.model_validate({}),
        escalation=EscalationConfig.model_validate({}),
        sensitive=SensitiveConfig.model_validate({}),
        routing=RoutingConfig.model_validate({}),
        languages=LanguageConfig.model_validate({}),
        teams={},
        smalltalk=SmallTalkConfig.model_validate({}),
        demotion=DemotionConfig(),
    )


def _merged(*tables: Mapping[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table in tables:
        for lang, items in table.items():
            out.setdefault(lang, []).extend(items)
    return out


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
    seen_names: Callable[[], Iterable[str]] | None = None,
    smalltalk: SmallTalkConfig | None = None,
    demotion: DemotionConfig | None = None,
    kb_mix: Mapping[str, float] | None = None,
) -> PolicySet:
    """Compile the policy sections of the config into the engine's chain (raises ConfigError on bad config).

    `seen_names` is a snapshot of the agents' display names the desk has seen (`bot.orchestration.staff`): the
    guardrails block replies naming them, besides the configured `staff_names`.
    """
    phrases = Phrases.shipped(languages.default)
    smalltalk = smalltalk or SmallTalkConfig.model_validate({})
    demotion = demotion or DemotionConfig()
    sentiment_model = Sentiment.shipped()
    detect = language_step(languages, kb_languages, phrases.languages, kb_mix)
    topics = Topics.of(teams)
    steps_in: dict[str, InputPolicy] = {
        "language": detect,
        "signals": Signals(sentiment_model),
        "topic": TopicTeam(
            topics, LanguagePhrases.of(_merged(escalation.human_phrases, escalation.failure_phrases))
        ),
        "no_ai": NoAi(
            LanguagePhrases.of(escalation.no_ai_phrases),
            phrases,
            Acknowledgement.of(escalation.acknowledgements, escalation.acknowledgement_fillers),
        ),
        "human_request": HumanRequest(LanguagePhrases.of(escalation.human_phrases)),
        "failed_attempts": FailedAttempts(
            LanguagePhrases.of(escalation.failure_phrases),
            phrases,
            max_failed=escalation.max_failed_attempts,
            reask_similarity=escalation.reask_similarity,
            fillers=MappingProxyType(
                {lang: frozenset(normalize(w) for w in ws) for lang, ws in escalation.failure_fillers.items()}
            ),
        ),
        "acknowledgement": Acknowledgement.of(escalation.acknowledgements, escalation.acknowledgement_fillers),
        "smalltalk": SmallTalk(
            Greetings.of(smalltalk), phrases, frozenset(detect.detector.languages) | phrases.languages, smalltalk.enabled
        ),
        "sensitive": SensitiveTopics.of(sensitive),
        "vip": Vip(phrases),
        "share": Share(phrases, routing.share_salt),
        "language_kb": LanguageKnowledge(kb_languages, phrases, languages.fallback),
        "hybrid": Hybrid(phrases, routing.hybrid_complex_from),
    }
    steps_out: dict[str, OutputPolicy] = {
        "team": AnswerTeam(topics),
        "relevance": Relevance(routing.default_team),
        "demotion": Demote(demotion.penalty),
        "confidence": Confidence(),
        "persona": Persona(PersonaRules.of(persona)),
        "guardrails": Guardrails(
            escalation.guardrails,
            sentiment_model,
            staff_names | frozenset(escalation.guardrails.staff_names),
            seen_names or (lambda: ()),
        ),
    }
    return PolicySet(
        input=tuple(steps_in[name] for name in INPUT_ORDER),
        output=tuple(steps_out[name] for name in OUTPUT_ORDER),
        phrases=phrases,
    )


__all__ = ["INPUT_ORDER", "OUTPUT_ORDER", "PolicyConfig", "PolicySet", "build_policies", "default_config"]
