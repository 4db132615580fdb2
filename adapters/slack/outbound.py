"""Delivery through the Slack Web API: `SlackOutbox` (customer threads) and `SlackAgentDesk` (agents' cards).

Both use the one `AsyncWebClient` built in `adapters.slack.runtime`, whose rate-limit retry handler waits out a
429's `Retry-After` and resends, so a burst of replies is slowed down, never dropped.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage, render
from adapters.slack.cards import admin_report, card
from bot.core.errors import ConfigError
from bot.core.types import Address, Reply, Ticket

log = logging.getLogger(__name__)


async def post(client: AsyncWebClient, channel: str, message: SlackMessage, thread: str | None = None) -> str:
    """Post one rendered message; returns its ts."""
    kwargs: dict[str, Any] = {"thread_ts": thread} if thread else {}
    response = await client.chat_postMessage(
        channel=channel, text=message.text, blocks=list(message.blocks), unfurl_links=False, unfurl_media=False, **kwargs
    )
    return str(response["ts"])


class SlackOutbox:
    """`bot.core.ports.Outbox` for Slack: a reply goes into the customer's thread, split into several posts if long."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, address: Address, reply: Reply) -> str:
        first = ""
        for message in render(reply):
            ts = await post(self.client, address.channel, message, address.thread)
            first = first or f"{address.channel}:{ts}"
        return first


def split_ref(card_ref: str) -> tuple[str, str]:
    channel, _, ts = card_ref.partition(":")
    if not channel or not ts:
        raise ValueError(f"not a Slack card reference (channel:ts): {card_ref!r}")
    return channel, ts


PERMALINK_CACHE = 1024  # a card is updated a few times around its handoff; older threads are looked up again
ORG_CACHE = 1024  # organisation names by team id (Slack Connect customers' workspaces)


class SlackAgentDesk:
    """`bot.core.ports.AgentDesk` for Slack: cards in the team's agents channel, updated in place with chat.update."""

    def __init__(
        self, client: AsyncWebClient, channel_for: Callable[[str], Awaitable[str]], admins: frozenset[str] = frozenset()
    ) -> None:
        self.client = client
        self.channel_for = channel_for  # team -> agents channel id ("" when none is configured)
        self.admins = admins  # told directly about threats and abuse
        self._permalinks: OrderedDict[str, str] = OrderedDict()  # recent threads only (bounded)
        self._orgs: OrderedDict[str, str] = OrderedDict()  # team id -> name ("" when Slack would not say)

    async def _named(self, ticket: Ticket) -> Ticket:
        """The ticket with its customer's organisation named as Slack shows it ("Acme Inc."), not its team id.

        Slack events carry only the team id; `team.info` names a workspace we share a channel with. Without the
        name (no `team:read` scope, an API error) the card shows the id, as before.
        """
        customer = ticket.handoff.customer
        if customer is None or customer.org_name or not customer.org:
            return ticket
        name = self._orgs.get(customer.org)
        if name is None:
            try:
                response = await self.client.team_info(team=customer.org)
                name = str((response.get("team") or {}).get("name") or "")
            except SlackApiError as exc:
                log.info("team.info failed for %s: %s", customer.org, exc.response.get("error"))
                name = ""
            self._orgs[customer.org] = name
            if len(self._orgs) > ORG_CACHE:
                self._orgs.popitem(last=False)
        if not name:
            return ticket
        return replace(ticket, handoff=replace(ticket.handoff, customer=replace(customer, org_name=name)))

    async def _permalink(self, ticket: Ticket) -> str:
        if ticket.handoff.transcript_link:
            return ticket.handoff.transcript_link
        cached = self._permalinks.get(ticket.conversation_key)
        if cached:
            return cached
        try:
            response = await self.client.chat_getPermalink(channel=ticket.address.channel, message_ts=ticket.address.thread or "")
        except SlackApiError as exc:  # the card is still useful without the link
            log.warning("chat.getPermalink failed for %s: %s", ticket.address.channel, exc.response.get("error"))
            return ""
        link = str(response.get("permalink") or "")
        self._permalinks[ticket.conversation_key] = link
        if len(self._permalinks) > PERMALINK_CACHE:
            self._permalinks.popitem(last=False)
        return link

    async def post(self, ticket: Ticket) -> str:
        channel = await self.channel_for(ticket.handoff.team)
        if not channel:
            raise ConfigError(
                f"no Slack agents channel for team {ticket.handoff.team!r}: set FRONTDESK_AGENTS_CHANNEL, "
                f"[slack] agents_channel or [teams.{ticket.handoff.team or 'support'}] channel in frontdesk.toml"
            )
        link = await self._permalink(ticket)
        ts = await post(self.client, channel, card(await self._named(ticket), link))
        if ticket.handoff.reported:
            await self._report(ticket, link)
        return f"{channel}:{ts}"

    async def _report(self, ticket: Ticket, link: str) -> None:
        for admin in sorted(self.admins):
            try:  # a DM to each listed admin; one failing must not hide the report from the others
                await post(self.client, admin, admin_report(ticket, link))
            except SlackApiError as exc:
                log.warning("could not report ticket %s to admin %s: %s", ticket.id, admin, exc.response.get("error"))

    async def update(self, ticket: Ticket) -> None:
        if not ticket.card_ref:
            log.warning("ticket %s has no card to update", ticket.id)
            return
        channel, ts = split_ref(ticket.card_ref)
        message = card(await self._named(ticket), await self._permalink(ticket))
        await self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=list(message.blocks))

    async def ask(self, ticket: Ticket, prompt: Reply) -> None:
        if not ticket.card_ref:
            log.warning("ticket %s has no card to ask under", ticket.id)
            return
        channel, ts = split_ref(ticket.card_ref)
        values = [f"{ticket.id}:{action.value}" for action in prompt.actions]
        for message in render(prompt, values=values):
            blocks = [dict(b) for b in message.blocks]
            if ticket.agent and blocks and blocks[0].get("type") == "section":
                blocks[0] = {"type": "section", "text": {"type": "mrkdwn", "text": f"<@{ticket.agent}> {blocks[0]['text']['text']}"}}
            await post(self.client, channel, SlackMessage(message.text, tuple(blocks)), ts)
