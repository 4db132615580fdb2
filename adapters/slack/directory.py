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
        self._guests: dict[str, tuple[bool, float]] = {}
        self._members: dict[str, tuple[frozenset[str], float]] = {}

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

    async def is_guest(self, user_id: str) -> bool:
        """A guest of our workspace (single- or multi-channel): a customer, whatever workspace they are in."""
        cached = self._guests.get(user_id)
        if cached and time.monotonic() - cached[1] < ADMIN_CACHE_SECONDS:
            return cached[0]
        try:
            user = (await self.client.users_info(user=user_id)).get("user") or {}
        except Exception:  # noqa: BLE001 - unknown: not a guest (they still need agent-channel membership to act)
            log.warning("users.info failed for %s; treating as a member", user_id)
            return False
        guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"))
        self._guests[user_id] = (guest, time.monotonic())
        return guest

    async def is_agent(self, actor: Actor) -> bool:
        """Agents are the members of the configured agents channels (and listed admins), never guests or people of
        another organisation: being in our workspace is not enough to claim a customer's thread."""
        if actor.is_external or await self.is_guest(actor.id):
            return False
        if actor.id in self.options.admins:
            return True
        for channel in sorted(await self.agents_channels()):
            if actor.id in await self._channel_members(channel):
                return True
        return False

    async def _channel_members(self, channel: str) -> frozenset[str]:
        cached = self._members.get(channel)
        if cached and time.monotonic() - cached[1] < ADMIN_CACHE_SECONDS:
            return cached[0]
        members: set[str] = set()
        cursor = ""
        try:
            for _ in range(50):  # at most 50 pages of 200: a bounded look-up
                response = await self.client.conversations_members(channel=channel, limit=200, cursor=cursor or None)
                members.update(str(m) for m in response.get("members") or [])
                cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
                if not cursor:
                    break
        except Exception:  # noqa: BLE001 - unknown membership grants nothing; a stale list is kept if there is one
            log.warning("conversations.members failed for %s", channel)
            return cached[0] if cached else frozenset()
        found = frozenset(members)
        self._members[channel] = (found, time.monotonic())
        return found
