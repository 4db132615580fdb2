"""Who and where: which agents channel a team's cards go to, and whether a colleague is a Frontdesk admin.

Both read configuration (`SlackOptions`) first and then what admins changed at run time (`/frontdesk route` in the
store) or what Slack says (`users.info` for workspace admins and owners, cached for a few minutes).
"""

from __future__ import annotations

import logging
import time

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.commands import ROUTE_KEY
from adapters.slack.host import SlackOptions
from bot.core.ports import Store
from bot.core.types import Actor
from bot.orchestration.channels import AgentChannels

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 300.0


class Directory:
    def __init__(self, options: SlackOptions, store: Store, client: AsyncWebClient) -> None:
        self.options = options
        self.store = store
        self.client = client
        self._admins: dict[str, tuple[bool, float]] = {}
        self.channels = AgentChannels(store, ROUTE_KEY, options.team_channels, options.agents_channel)

    async def channel_for(self, team: str) -> str:
        """Agents channel for a team: `/frontdesk route`, then [teams.<team>] channel, then the default."""
        return await self.channels.channel_for(team)

    async def agents_channels(self) -> set[str]:
        return await self.channels.agents_channels()

    async def is_admin(self, actor: Actor) -> bool:
        """Listed admins, or workspace admins/owners per users.info; never an external (Slack Connect) user."""
        if actor.is_external:
            return False
        if actor.id in self.options.admins:
            return True
        cached = self._admins.get(actor.id)
        if cached and time.monotonic() - cached[1] < ADMIN_CACHE_SECONDS:
            return cached[0]
        try:
            user = (await self.client.users_info(user=actor.id)).get("user") or {}
        except Exception:  # noqa: BLE001 - no answer means no admin rights, never an error for the user
            log.warning("users.info failed for %s; treating as non-admin", actor.id)
            return False
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        admin = admin and not (user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"))
        self._admins[actor.id] = (admin, time.monotonic())
        return admin
