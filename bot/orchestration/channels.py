"""Which agents channel a team's cards go to, the same rule on every platform: what an admin routed at run time
(`route <topic> <#channel>`, kept in the store under the platform's route key), then the team's configured channel,
then the default agents channel."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.ports import Store

CACHE_SECONDS = 5.0  # a route is read for every card and every colleague's message; an admin's change is seen at
# once in their process (the store drops its copy), in another replica's after at most this long


class AgentChannels:
    def __init__(self, store: Store, route_key: str, team_channels: Mapping[str, str], default: str) -> None:
        self.store = store
        self.route_key = route_key
        self.team_channels = team_channels
        self.default = default

    async def channel_for(self, team: str) -> str:
        routed = await self.store.get_setting(self.route_key + team, max_age=CACHE_SECONDS) if team else None
        return routed or self.team_channels.get(team, "") or self.default

    async def agents_channels(self) -> set[str]:
        """Every agents channel (colleagues' chatter there is never a customer's conversation)."""
        channels = {*self.team_channels.values(), self.default}
        for team in self.team_channels:
            routed = await self.store.get_setting(self.route_key + team, max_age=CACHE_SECONDS)
            if routed:
                channels.add(routed)
        channels.discard("")
        return channels
