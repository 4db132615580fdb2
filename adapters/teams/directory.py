"""Who and where in Teams: a team's agents channel (`route` in the store, then `[teams.<name>] teams_channel`, then
the default), and whether a colleague is a Frontdesk admin (listed AAD object ids; never an external user)."""

from __future__ import annotations

from adapters.teams.options import TeamsOptions
from bot.core.ports import Store
from bot.core.types import Actor
from bot.orchestration.channels import AgentChannels

ROUTE_KEY = "teams.route."


class Directory:
    def __init__(self, options: TeamsOptions, store: Store) -> None:
        self.options = options
        self.store = store
        self.channels = AgentChannels(store, ROUTE_KEY, options.team_channels, options.agents_channel)

    async def channel_for(self, team: str) -> str:
        return await self.channels.channel_for(team)

    async def agents_channels(self) -> set[str]:
        return await self.channels.agents_channels()

    async def is_admin(self, actor: Actor) -> bool:
        return not actor.is_external and actor.id in self.options.admins
