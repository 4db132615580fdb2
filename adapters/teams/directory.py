"""Who and where in Teams: a team's agents channel (`route` in the store, then `[teams.<name>] teams_channel`, then
the default), and whether a colleague is a Frontdesk admin (listed AAD object ids; never an external user)."""

from __future__ import annotations

from adapters.teams.options import TeamsOptions
from bot.core.ports import Store
from bot.core.types import Actor

ROUTE_KEY = "teams.route."


class Directory:
    def __init__(self, options: TeamsOptions, store: Store) -> None:
        self.options = options
        self.store = store

    async def channel_for(self, team: str) -> str:
        routed = await self.store.get_setting(ROUTE_KEY + team) if team else None
        return routed or self.options.team_channels.get(team, "") or self.options.agents_channel

    async def agents_channels(self) -> set[str]:
        channels = {*self.options.team_channels.values(), self.options.agents_channel}
        for team in self.options.team_channels:
            routed = await self.store.get_setting(ROUTE_KEY + team)
            if routed:
                channels.add(routed)
        channels.discard("")
        return channels

    async def is_admin(self, actor: Actor) -> bool:
        return not actor.is_external and actor.id in self.options.admins
