"""Policy sections of frontdesk.toml ([persona], [escalation], [sensitive], [routing], [languages], [teams]).

Every model forbids unknown keys so a typo in the file is an error that names the key, not a silent default.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonaConfig(_Strict):
    voice: str = "Short, plain and friendly. Answer first, then the detail."
    banned_phrases: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    max_sentences_simple: int = Field(default=2, ge=1)
    max_sentences_complex: int = Field(default=5, ge=1)


class EscalationConfig(_Strict):
    threshold: float = Field(default=0.70, ge=0.0, le=1.0)
    max_failed_attempts: int = Field(default=2, ge=1)
    human_phrases: dict[str, list[str]] = Field(default_factory=dict)


class SensitiveCategory(_Strict):
    team: str = ""
    keywords: dict[str, list[str]] = Field(default_factory=dict)  # language -> phrases
    patterns: dict[str, list[str]] = Field(default_factory=dict)  # language -> regexes


class SensitiveConfig(_Strict):
    enabled: bool = True
    negative_sentiment: float = Field(default=-0.5, ge=-1.0, le=0.0)
    categories: dict[str, SensitiveCategory] = Field(default_factory=dict)


class RoutingConfig(_Strict):
    default_team: str = "support"
    default_mode: str = "ai-first"
    approval_days: int = Field(default=30, ge=0)
    ai_share: float = Field(default=1.0, ge=0.0, le=1.0)
    vip_customers: list[str] = Field(default_factory=list)
    vip_orgs: list[str] = Field(default_factory=list)


class LanguageConfig(_Strict):
    supported: list[str] = Field(default_factory=lambda: ["en"])
    default: str = "en"
    fallback: str | None = None


class TeamConfig(_Strict):
    channel: str = ""  # the team's agents channel (Slack channel id)
    topics: list[str] = Field(default_factory=list)
    lead: str = ""
