"""What the Slack adapter needs from the composition root, without importing it (adapters sit below bootstrap).

`Host` is the structural shape of `bot.bootstrap.App`; `SlackOptions` is the typed slice of `Settings` and
`Config` the adapter reads, taken once at mount so the rest of the package never touches configuration objects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from bot.core.ports import AgentDesk, Outbox, Phrasebook, Store
from bot.core.types import Platform
from bot.orchestration.demotion import DemotionBoard
from bot.orchestration.desk import Desk
from bot.orchestration.dispatcher import Dispatcher


class Host(Protocol):
    settings: Any  # bot.settings.Settings (layer 4: read only through `SlackOptions.of`)
    config: Any  # bot.settings.Config
    store: Store
    dispatcher: Dispatcher
    desk: Desk
    knowledge: Any
    phrases: Phrasebook
    demotions: DemotionBoard
    outboxes: dict[Platform, Outbox]
    desks: dict[Platform, AgentDesk]
    jobs: dict[str, Callable[[], Awaitable[str]]]  # on-demand runs of scheduled jobs (`digest now`)
    probes: dict[str, Callable[[], Awaitable[bool]]]  # readiness checks run by /readyz


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


@dataclass(frozen=True, slots=True)
class SlackOptions:
    bot_token: str | None
    signing_secret: str | None = None
    app_token: str | None = None  # set: Socket Mode
    api_url: str | None = None
    agents_channel: str = ""
    admins: frozenset[str] = frozenset()
    team_channels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    kb_dir: Path = Path("examples/kb")

    @staticmethod
    def of(host: Host) -> SlackOptions:
        settings, config = host.settings, host.config
        listed = {a.strip() for a in (settings.admins or "").split(",") if a.strip()}
        return SlackOptions(
            bot_token=_secret(settings.slack_bot_token),
            signing_secret=_secret(settings.slack_signing_secret),
            app_token=_secret(settings.slack_app_token),
            api_url=settings.slack_api_url,
            agents_channel=settings.agents_channel or config.slack.agents_channel or "",
            admins=frozenset(listed | set(config.slack.admins)),
            team_channels=MappingProxyType({name: team.channel for name, team in config.teams.items() if team.channel}),
            kb_dir=Path(settings.kb_dir),
        )
