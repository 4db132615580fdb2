"""The typed slice of `Settings` and `Config` the Teams adapter reads, taken once at mount.

`bot_configuration()` is the object botbuilder's `ConfigurationBotFrameworkAuthentication` reads by attribute
name (APP_ID, APP_PASSWORD, APP_TYPE, APP_TENANTID and the TO_BOT_FROM_CHANNEL_* / TO_CHANNEL_FROM_BOT_* keys), so
the standard keys work as documented for botbuilder, from the environment, through `bot.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Any

from bot.core.errors import ConfigError
from bot.orchestration.host import Host


def _split(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}


@dataclass(frozen=True, slots=True)
class TeamsOptions:
    tenant_id: str  # the vendor's own tenant: its users are agents, everyone else is a customer
    app_id: str | None = None  # unset: the Emulator's anonymous mode (no token checked or sent)
    app_password: str | None = None
    app_tenant_id: str | None = None
    app_type: str = "SingleTenant"
    agents_channel: str = ""
    admins: frozenset[str] = frozenset()  # AAD object ids
    team_channels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    kb_dir: Path = Path("examples/kb")
    openid_metadata_url: str | None = None
    token_issuer: str | None = None
    login_url: str | None = None
    oauth_scope: str | None = None

    @property
    def anonymous(self) -> bool:
        return not self.app_id

    @staticmethod
    def of(host: Host) -> TeamsOptions:
        settings, config = host.settings, host.config
        tenant = (settings.teams_tenant_id or "").strip()
        if not tenant:
            raise ConfigError(
                "FRONTDESK_TEAMS_TENANT_ID is required for Teams: your own Microsoft 365 tenant id (its users are "
                "agents; users of every other tenant are customers)"
            )
        password = settings.teams_app_password
        return TeamsOptions(
            tenant_id=tenant,
            app_id=(settings.teams_app_id or "").strip() or None,
            app_password=password.get_secret_value() if password is not None else None,
            app_tenant_id=settings.teams_app_tenant_id or tenant,
            app_type=settings.teams_app_type or "SingleTenant",
            agents_channel=settings.teams_agents_channel or config.msteams.agents_channel or "",
            admins=frozenset(_split(settings.teams_admins) | set(config.msteams.admins)),
            team_channels=MappingProxyType(
                {name: team.teams_channel for name, team in config.teams.items() if team.teams_channel}
            ),
            kb_dir=Path(settings.kb_dir),
            openid_metadata_url=settings.teams_openid_metadata_url,
            token_issuer=settings.teams_token_issuer,
            login_url=settings.teams_login_url,
            oauth_scope=settings.teams_oauth_scope,
        )

    def bot_configuration(self) -> Any:
        """botbuilder's configuration object (attributes by its documented names)."""
        return SimpleNamespace(
            APP_ID=self.app_id,
            APP_PASSWORD=self.app_password,
            # Anonymous mode has no app id, which botbuilder's single-tenant factory refuses; it is local only.
            APP_TYPE=self.app_type if self.app_id else "MultiTenant",
            APP_TENANTID=self.app_tenant_id,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=self.openid_metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=self.token_issuer,
            TO_CHANNEL_FROM_BOT_LOGIN_URL=self.login_url,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=self.oauth_scope,
        )
