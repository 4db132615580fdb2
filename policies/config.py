"""Policy sections of frontdesk.toml ([persona], [escalation], [sensitive], [routing], [languages], [teams]).

Every model forbids unknown keys so a typo in the file is an error that names the key, not a silent default.
Defaults come from the shipped data files in `policies/defaults/` (see `policies.defaults`), so a config file may
omit whole sections. The merge rule is one sentence: a key you write replaces the shipped value of that key, except
that maps keyed by language or category (human phrases, sensitive categories, their keyword lists) merge key by key.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.types import Mode, Priority
from policies.defaults import shipped
from policies.text import normalize


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _from(section: str, key: str) -> Any:
    """A default factory reading one key of a shipped defaults file."""
    return lambda: shipped(section)[key]


def _merge_languages(data: Any, section: str, keys: tuple[str, ...]) -> Any:
    """Per-language phrase tables merge by language: writing `de` replaces the shipped German list, keeps the rest."""
    if not isinstance(data, dict):
        return data
    base = shipped(section)
    out = dict(data)
    for key in keys:
        given = data.get(key) or {}
        if isinstance(given, dict):
            out[key] = {**base[key], **given}
    return out


def _check_regexes(patterns: dict[str, list[str]], where: str) -> dict[str, list[str]]:
    for language, items in patterns.items():
        for pattern in items:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{where}.{language}: invalid regular expression {pattern!r} ({exc})") from None
    return patterns


class PersonaConfig(_Strict):
    voice: str = Field(default_factory=_from("persona", "voice"))
    banned_phrases: list[str] = Field(default_factory=_from("persona", "banned_phrases"))
    replacements: dict[str, str] = Field(default_factory=_from("persona", "replacements"))  # jargon -> plain word
    examples: list[str] = Field(default_factory=_from("persona", "examples"))
    openers: list[str] = Field(default_factory=_from("persona", "openers"))  # regexes: corporate openers
    preambles: list[str] = Field(default_factory=_from("persona", "preambles"))  # regexes: "As an AI ..." etc.
    max_sentences_simple: int = Field(default=2, ge=1)
    max_sentences_complex: int = Field(default=5, ge=1)
    complex_from: float = Field(default=0.5, ge=0.0, le=1.0)  # complexity at or above this is a complex question

    @field_validator("openers", "preambles")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        _check_regexes({"*": value}, "persona")
        return value

    @model_validator(mode="after")
    def _limits(self) -> PersonaConfig:
        if self.max_sentences_complex < self.max_sentences_simple:
            raise ValueError("max_sentences_complex must be at least max_sentences_simple")
        return self


class GuardrailConfig(_Strict):
    """[escalation.guardrails]: checks on every AI reply before it is sent; a blocked reply escalates."""

    enabled: bool = True
    negative_sentiment: float = Field(default=-0.6, ge=-1.0, le=0.0)  # reply sentiment at or below this is blocked
    check_numbers: bool = True  # numbers in generated text must appear in the cited source
    check_claims: bool = True  # dates, durations, prices, limits and yes/no claims must not contradict the source
    personal_data: bool = True  # emails, phone numbers, card numbers
    people: bool = True  # a reply names no one but the customer: staff below, agents seen, @-mentions
    staff_names: list[str] = Field(default_factory=list)  # people replies must never name (agents are added as seen)


class EscalationConfig(_Strict):
    threshold: float = Field(default=0.70, ge=0.0, le=1.0)
    max_failed_attempts: int = Field(default=2, ge=1)
    human_phrases: dict[str, list[str]] = Field(default_factory=dict)  # language -> typed requests for a person
    failure_phrases: dict[str, list[str]] = Field(default_factory=dict)  # language -> "that didn't help"
    failure_fillers: dict[str, list[str]] = Field(default_factory=dict)  # language -> words around a bare failure
    acknowledgements: dict[str, list[str]] = Field(default_factory=dict)  # language -> words of a plain "thanks"
    acknowledgement_fillers: dict[str, list[str]] = Field(default_factory=dict)  # "for your help" around a thanks
    no_ai_phrases: dict[str, list[str]] = Field(default_factory=dict)  # language -> "no AI answers please"
    reask_similarity: float = Field(default=0.8, gt=0.0, le=1.0)  # word overlap that counts as the same question
    guardrails: GuardrailConfig = Field(default_factory=GuardrailConfig)

    @model_validator(mode="before")
    @classmethod
    def _merge(cls, data: Any) -> Any:
        keys = (
            "human_phrases",
            "failure_phrases",
            "failure_fillers",
            "acknowledgements",
            "acknowledgement_fillers",
            "no_ai_phrases",
        )
        return _merge_languages(data, "escalation", keys)


_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


class SmallTalkConfig(_Strict):
    """[smalltalk]: greetings that get a short "How can I help?" instead of a knowledge-base search."""

    enabled: bool = True
    greetings: dict[str, list[str]] = Field(default_factory=dict)  # language -> greetings ("hi", "guten tag")
    farewells: dict[str, list[str]] = Field(default_factory=dict)  # language -> farewells ("bye", "tschuss")
    fillers: dict[str, list[str]] = Field(default_factory=dict)  # language -> words around them ("team", "all")
    introductions: dict[str, list[str]] = Field(default_factory=dict)  # language -> "i'm", "my name is"
    organisation_words: dict[str, list[str]] = Field(default_factory=dict)  # language -> "from", "at"

    @model_validator(mode="before")
    @classmethod
    def _merge(cls, data: Any) -> Any:
        keys = ("greetings", "farewells", "fillers", "introductions", "organisation_words")
        return _merge_languages(data, "smalltalk", keys)

    @field_validator("greetings", "farewells", "fillers", "introductions", "organisation_words")
    @classmethod
    def _phrases(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for language, items in value.items():
            if not _LANGUAGE_CODE.match(language):
                raise ValueError(f"{language!r} is not an ISO 639-1 language code (two lower-case letters)")
            for item in items:
                if not normalize(item):
                    raise ValueError(f"{language}: {item!r} has no words to match")
        return value


class SensitiveCategory(_Strict):
    team: str = ""
    enabled: bool = True
    priority: Priority = Priority.NORMAL
    flag_admins: bool = False  # threats and abuse are reported to admins, not only escalated
    keywords: dict[str, list[str]] = Field(default_factory=dict)  # language ("*" = any) -> phrases
    patterns: dict[str, list[str]] = Field(default_factory=dict)  # language ("*" = any) -> regexes

    @field_validator("patterns")
    @classmethod
    def _regexes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_regexes(value, "patterns")


class SensitiveConfig(_Strict):
    enabled: bool = True
    negative_sentiment: float = Field(default=-0.3, ge=-1.0, le=0.0)  # chosen on airline dev + Banking77 train
    sentiment_category: str = "complaint"  # the category negative sentiment escalates as
    abuse_category: str = "threat_abuse"  # the category the LLM's "abuse" and "threat" verdicts escalate as
    use_defaults: bool = True  # false: only the categories written in the file exist
    categories: dict[str, SensitiveCategory] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _merge(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if not data.get("use_defaults", True):
            return data
        base: dict[str, Any] = shipped("sensitive")["categories"]
        given = data.get("categories") or {}
        if not isinstance(given, dict):
            return data
        merged: dict[str, Any] = {}
        for name in [*base, *(n for n in given if n not in base)]:
            ours, theirs = base.get(name, {}), given.get(name, {})
            if not isinstance(theirs, dict):
                merged[name] = theirs  # let validation name the bad value
                continue
            entry = {**ours, **theirs}
            for key in ("keywords", "patterns"):
                if isinstance(theirs.get(key), dict):
                    entry[key] = {**ours.get(key, {}), **theirs[key]}
            merged[name] = entry
        return {**data, "categories": merged}

    @model_validator(mode="after")
    def _category_known(self) -> SensitiveConfig:
        if self.sentiment_category and self.sentiment_category not in self.categories:
            raise ValueError(
                f"sentiment_category '{self.sentiment_category}' is not one of the categories "
                f"({', '.join(sorted(self.categories)) or 'none'})"
            )
        return self


class RoutingConfig(_Strict):
    default_team: str = "support"
    default_mode: str = "ai-first"
    approval_days: int = Field(default=30, ge=0)
    ai_share: float = Field(default=1.0, ge=0.0, le=1.0)
    share_salt: str = ""  # change it to draw a new rollout cohort; the same salt keeps every customer's side stable
    hybrid_complex_from: float = Field(default=0.6, ge=0.0, le=1.0)  # hybrid mode: complexity sending to humans
    vip_customers: list[str] = Field(default_factory=list)
    vip_orgs: list[str] = Field(default_factory=list)
    # Channel id (or "platform:workspace:channel") -> mode, set in config: skips the new-channel approval period.
    channel_modes: dict[str, str] = Field(default_factory=dict)

    @field_validator("default_mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        allowed = [m.value for m in Mode]
        if value not in allowed:
            raise ValueError(f"default_mode must be one of {', '.join(allowed)}, got {value!r}")
        return value

    @field_validator("channel_modes")
    @classmethod
    def _channel_modes(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = [m.value for m in Mode]
        for channel, mode in value.items():
            if mode not in allowed:
                raise ValueError(f"channel_modes.{channel} must be one of {', '.join(allowed)}, got {mode!r}")
        return value


class LanguageConfig(_Strict):
    # Empty: the languages of the ingested customer articles. Set: exactly these (narrows the KB's languages, or
    # adds languages answered through `fallback` or handed to people).
    supported: list[str] = Field(default_factory=_from("languages", "supported"))
    default: str = "en"
    fallback: str | None = None  # answer from this language's KB (with the human button) when none exists
    min_confidence: float = Field(default=0.9, ge=0.0, le=1.0)  # below this a message keeps the thread's language
    short_words: int = Field(default=3, ge=0)  # messages this short keep the thread's language unless confident
    short_min_confidence: float = Field(default=0.99, ge=0.0, le=1.0)
    thread_prior: float = Field(default=4.0, ge=1.0)  # the thread's language is this many times more likely
    # Words that tell close languages apart (sr/hr/bs): each occurrence makes its language this many times likelier.
    markers: dict[str, list[str]] = Field(default_factory=_from("languages", "markers"))
    marker_weight: float = Field(default=4.0, ge=1.0)

    @model_validator(mode="after")
    def _default_supported(self) -> LanguageConfig:
        if self.supported and self.default not in self.supported:
            raise ValueError(f"default language '{self.default}' must be in supported ({', '.join(self.supported)})")
        return self


class TeamConfig(_Strict):
    channel: str = ""  # the team's agents channel (Slack channel id)
    teams_channel: str = ""  # the team's agents channel in Microsoft Teams (a conversation id, 19:…)
    topics: list[str] = Field(default_factory=list)  # article tags and question words that route here
    lead: str = ""
