"""Settings: the only reader of the environment, and the loader of the validated `frontdesk.toml`.

Secrets and deployment facts (tokens, database URL, paths) come from the environment so Frontdesk runs in
containers; behaviour (persona, topics, teams, thresholds) comes from a config file that is validated strictly:
an unknown or mistyped key is an error naming the file and the key, never a silently ignored setting.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError
from bot.metrics.compute import MetricsConfig
from knowledge.config import KnowledgeConfig
from policies.config import (
    EscalationConfig,
    LanguageConfig,
    PersonaConfig,
    RoutingConfig,
    SensitiveConfig,
    SmallTalkConfig,
    TeamConfig,
)
from policies.demotion import DemotionConfig
from scheduler.config import (
    CampaignConfig,
    DigestConfig,
    KbReviewConfig,
    QaConfig,
    SchedulerConfig,
    check_sections,
)


class ServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    playground: bool = True  # serve /ui (the zero-credential playground)
    dashboard: bool = True  # serve /dashboard to leads (this machine only, or with FRONTDESK_DASHBOARD_TOKEN)
    # Without FRONTDESK_DASHBOARD_TOKEN, and once Slack/Teams are configured or `host` is not loopback, the dashboard
    # has a listener of its own on 127.0.0.1 at this port (0: any free port), never the main one (adapters/web/dashboard/access.py).
    dashboard_port: int = Field(default=8090, ge=0, le=65535)


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents_channel: str = ""  # default agents channel; per-team channels are in [teams.<name>]
    admins: list[str] = Field(default_factory=list)


class MsTeamsConfig(BaseModel):
    """`[msteams]`: the Teams adapter's defaults (`[teams.<name>]` already names support teams, hence the name)."""

    model_config = ConfigDict(extra="forbid")

    agents_channel: str = ""  # default agents channel: a Teams channel conversation id (19:…@thread.tacv2)
    admins: list[str] = Field(default_factory=list)  # AAD object ids of Frontdesk admins in Teams


class Config(BaseModel):
    """The whole `frontdesk.toml`. Each section's model lives next to the code it configures."""

    model_config = ConfigDict(extra="forbid")

    server: ServerConfig = Field(default_factory=ServerConfig)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)
    persona: PersonaConfig = Field(default_factory=PersonaConfig)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    demotion: DemotionConfig = Field(default_factory=DemotionConfig)
    sensitive: SensitiveConfig = Field(default_factory=SensitiveConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    languages: LanguageConfig = Field(default_factory=LanguageConfig)
    teams: dict[str, TeamConfig] = Field(default_factory=dict)
    smalltalk: SmallTalkConfig = Field(default_factory=SmallTalkConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    msteams: MsTeamsConfig = Field(default_factory=MsTeamsConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    qa: QaConfig = Field(default_factory=QaConfig)
    kb_review: KbReviewConfig = Field(default_factory=KbReviewConfig)
    campaigns: dict[str, CampaignConfig] = Field(default_factory=dict)

    def problems(self) -> list[str]:
        """Disagreements between sections (a digest recipient for a team that does not exist, …)."""
        leads = {name: team.lead for name, team in self.teams.items() if team.lead}
        return check_sections(self.digest, self.qa, self.teams, leads, self.kb_review)


def _env(*names: str) -> Any:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Environment settings. Field names are ours; the environment variable names are the documented ones."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(default="", validation_alias=_env("DATABASE_URL", "database_url"))
    kb_dir: Path = Field(default=Path("examples/kb"), validation_alias=_env("FRONTDESK_KB", "kb_dir"))
    data_dir: Path = Field(default=Path("var"), validation_alias=_env("FRONTDESK_DATA_DIR", "data_dir"))
    config_file: Path | None = Field(default=None, validation_alias=_env("FRONTDESK_CONFIG", "config_file"))
    llm: str | None = Field(default=None, validation_alias=_env("FRONTDESK_LLM", "llm"))
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(default=None, validation_alias=_env("SLACK_API_URL"))
    agents_channel: str | None = Field(default=None, validation_alias=_env("FRONTDESK_AGENTS_CHANNEL"))
    admins: str | None = Field(default=None, validation_alias=_env("FRONTDESK_ADMINS"))
    webhook_token: SecretStr | None = Field(default=None, validation_alias=_env("FRONTDESK_WEBHOOK_TOKEN"))
    dashboard_token: SecretStr | None = Field(default=None, validation_alias=_env("FRONTDESK_DASHBOARD_TOKEN"))
    # With Slack or Teams credentials set, the playground is off unless this token is set (then required per request).
    playground_token: SecretStr | None = Field(default=None, validation_alias=_env("FRONTDESK_PLAYGROUND_TOKEN"))
    teams_app_id: str | None = Field(default=None, validation_alias=_env("MICROSOFT_APP_ID"))
    teams_app_password: SecretStr | None = Field(default=None, validation_alias=_env("MICROSOFT_APP_PASSWORD"))
    teams_app_tenant_id: str | None = Field(default=None, validation_alias=_env("MICROSOFT_APP_TENANT_ID"))
    teams_app_type: str = Field(default="SingleTenant", validation_alias=_env("MICROSOFT_APP_TYPE"))
    teams_tenant_id: str | None = Field(default=None, validation_alias=_env("FRONTDESK_TEAMS_TENANT_ID"))
    teams_agents_channel: str | None = Field(default=None, validation_alias=_env("FRONTDESK_TEAMS_AGENTS_CHANNEL"))
    teams_admins: str | None = Field(default=None, validation_alias=_env("FRONTDESK_TEAMS_ADMINS"))
    # botbuilder's own configuration keys, honoured as-is (sovereign clouds, tests pointing the bot elsewhere).
    teams_openid_metadata_url: str | None = Field(
        default=None, validation_alias=_env("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")
    )
    teams_token_issuer: str | None = Field(default=None, validation_alias=_env("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"))
    teams_login_url: str | None = Field(default=None, validation_alias=_env("TO_CHANNEL_FROM_BOT_LOGIN_URL"))
    teams_oauth_scope: str | None = Field(default=None, validation_alias=_env("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"))

    @property
    def platform_configured(self) -> bool:
        """Slack or Teams credentials are set: real customers may reach this server."""
        return any(v is not None for v in (self.slack_bot_token, self.slack_app_token, self.teams_app_password))

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or a SQLite file in the data directory (the zero-configuration default)."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                # Plain libpq URLs are what people paste; we speak psycopg 3 through SQLAlchemy's async engine.
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'frontdesk.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create FRONTDESK_DATA_DIR if needed; a folder that cannot be created is a one-line ConfigError."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"FRONTDESK_DATA_DIR={self.data_dir}: cannot create this folder ({exc.strerror})") from None
        return self.data_dir

    def config_path(self) -> Path | None:
        """FRONTDESK_CONFIG if set (it must exist), else ./frontdesk.toml when present, else built-in defaults."""
        if self.config_file is not None:
            if not self.config_file.is_file():
                raise ConfigError(f"FRONTDESK_CONFIG points to {self.config_file}, which does not exist")
            return self.config_file
        local = Path("frontdesk.toml")
        return local if local.is_file() else None

    def load_config(self) -> Config:
        path = self.config_path()
        return load_config(path) if path else Config()


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    return f"'{key}': {error['msg']}"


def load_config(path: Path) -> Config:
    """Read and validate a config file; every problem is reported with the file and the dotted key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(dict(e)) for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from exc
    if config.problems():
        raise ConfigError(f"{path}: {'; '.join(config.problems())}")
    return config
