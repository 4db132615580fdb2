"""Delivery through the Slack Web API: `SlackOutbox` (customer threads) and `SlackAgentDesk` (agents' cards).

Both use the one `AsyncWebClient` built in `adapters.slack.runtime`. Every Web API failure leaves here as a
`DeliveryError` (`adapters.slack.errors`) carrying Retry-After or "permanent", for the outbox worker to schedule.
Each post carries its outbox key in Slack message metadata, so `already_sent` can find a post an interrupted
attempt made (`SentLookup`) and a retry never posts twice. Decorations (the thread's permalink, the admin reports)
may fail without failing the card.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage, render
from adapters.slack.cards import admin_report, card
from adapters.slack.errors import METADATA_TYPE, posted_keys, slack_errors, why
from adapters.slack.undeliverable import reply_alert
from bot.core.errors import ConfigError
from bot.core.outbox import OutboxItem, OutboxKind
from bot.core.types import Address, Reply, Ticket

log = logging.getLogger(__name__)


async def post(
    client: AsyncWebClient, channel: str, message: SlackMessage, thread: str | None = None, key: str = ""
) -> str:
    """Post one rendered message (tagged with `key` when given); returns its ts."""
    kwargs: dict[str, Any] = {"thread_ts": thread} if thread else {}
    if key:
        kwargs["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
    async with slack_errors("chat.postMessage"):
        response = await client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=list(message.blocks),
            unfurl_links=False,
            unfurl_media=False,
            **kwargs,
        )
        return str(response["ts"])


def card_key(ticket: Ticket) -> str:
    return f"card:{ticket.id}"


class SlackOutbox:
    """`bot.core.ports.Outbox` for Slack: a reply goes into the customer's thread, split into several posts if long."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._posted: OrderedDict[str, dict[str, str]] = OrderedDict()  # key -> parts found by `already_sent`

    async def send(self, address: Address, reply: Reply) -> str:
        key = reply.idempotency_key
        done = self._posted.pop(key, {}) if key else {}
        first = ""
        for number, message in enumerate(render(reply)):
            part = f"{key}#{number}" if key else ""
            ts = done.get(part) or await post(self.client, address.channel, message, address.thread, part)
            first = first or f"{address.channel}:{ts}"
        return first

    async def already_sent(self, item: OutboxItem, ticket: Ticket | None) -> str | None:
        """The first part's reference when every part of the reply is in the thread already; parts found are
        remembered so the following `send` posts only the missing ones."""
        if item.reply is None:
            return None
        found = await posted_keys(self.client, item.address.channel, item.address.thread, item.key)
        parts = [f"{item.key}#{n}" for n in range(len(render(item.reply)))]
        if parts and all(p in found for p in parts):
            return f"{item.address.channel}:{found[parts[0]]}"
        if found:
            self._posted[item.key] = found
            while len(self._posted) > PERMALINK_CACHE:
                self._posted.popitem(last=False)
        return None


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
        self,
        client: AsyncWebClient,
        channel_for: Callable[[str], Awaitable[str]],
        admins: frozenset[str] = frozenset(),
        default_channel: str = "",
    ) -> None:
        self.client = client
        self.channel_for = channel_for  # team -> agents channel id ("" when none is configured)
        self.default_channel = default_channel  # where a card goes when its team's channel keeps refusing it
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
            except Exception as exc:  # noqa: BLE001 - a decoration: the card shows the id instead
                log.info("team.info failed for %s: %s", customer.org, why(exc))
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
            link = str(response.get("permalink") or "")
        except Exception as exc:  # noqa: BLE001 - a decoration: the card is still useful without the link
            log.warning("chat.getPermalink failed for %s: %s", ticket.address.channel, why(exc))
            return ""
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
        ts = await post(self.client, channel, card(await self._named(ticket), link), key=card_key(ticket))
        if ticket.handoff.reported:
            await self._tell_admins(ticket, lambda admin: post(self.client, admin, admin_report(ticket, link)))
        return f"{channel}:{ts}"

    async def already_sent(self, item: OutboxItem, ticket: Ticket | None) -> str | None:
        """The card an interrupted attempt posted, in the team's channel or the default one."""
        if ticket is None:
            return None
        if item.kind is OutboxKind.AGENT_NOTE:  # a note under the card, tagged with the item's own key
            if not ticket.card_ref:
                return None
            channel, ts = split_ref(ticket.card_ref)
            found = await posted_keys(self.client, channel, ts, item.key)
            return f"{channel}:{found[item.key]}" if item.key in found else None
        key = card_key(ticket)
        for channel in dict.fromkeys((await self.channel_for(ticket.handoff.team), self.default_channel)):
            if channel:
                found = await posted_keys(self.client, channel, None, key)
                if key in found:
                    return f"{channel}:{found[key]}"
        return None

    async def undeliverable(self, ticket: Ticket, error: str) -> str:
        """`FallbackDesk`: the card goes to the default agents channel and every admin gets a direct message."""
        team_channel = await self.channel_for(ticket.handoff.team)
        note = (
            f"This handoff card could not be posted to <#{team_channel}> ({error[:200]}); it is here instead."
            if team_channel
            else f"No agents channel is set for team {ticket.handoff.team or 'support'}; this handoff card is here instead."
        )
        message = card(ticket, await self._permalink(ticket))
        blocks = ({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}, *message.blocks)
        alert = SlackMessage(f"{note}\n{message.text}", blocks[:50])
        ts = ""
        if self.default_channel:
            try:
                ts = await post(self.client, self.default_channel, alert, key=card_key(ticket))
            except Exception as exc:  # noqa: BLE001 - the admins are told below either way
                log.error("the fallback channel refused handoff %s too: %s", ticket.id, why(exc))
        where = f"<#{self.default_channel}>" if ts else "no channel (the default agents channel failed too)"
        told = await self._tell_admins(
            ticket,
            lambda admin: post(self.client, admin, SlackMessage(f"{note} Card posted to {where}.\n{message.text}", alert.blocks)),
        )
        if not ts and not told:
            raise ConfigError(f"handoff {ticket.id}: neither an agents channel nor an admin could be reached ({error})")
        return f"{self.default_channel}:{ts}" if ts else ""

    async def reply_undeliverable(self, item: OutboxItem, error: str) -> str:
        """`ReplyFallback`: a card with the reply in the default agents channel, and a direct message to each admin."""
        try:
            response = await self.client.chat_getPermalink(channel=item.address.channel, message_ts=item.address.thread or "")
            link = str(response.get("permalink") or "")
        except Exception as exc:  # noqa: BLE001 - a decoration (the channel may be the very thing that is gone)
            log.info("chat.getPermalink failed for %s: %s", item.address.channel, why(exc))
            link = ""
        alert = reply_alert(item, error, link)
        channel = self.default_channel or await self.channel_for("")
        ts = ""
        if channel:
            try:
                ts = await post(self.client, channel, alert, key=f"{item.key}:undeliverable")
            except Exception as exc:  # noqa: BLE001 - the admins are told below either way
                log.error("the agents channel refused the undeliverable-reply card too: %s", why(exc))
        told = 0
        for admin in sorted(self.admins):
            try:  # each admin separately: one failing must not hide it from the others
                await post(self.client, admin, alert)
                told += 1
            except Exception as exc:  # noqa: BLE001
                log.warning("could not tell admin %s about an undeliverable reply: %s", admin, why(exc))
        if not ts and not told:
            raise ConfigError(f"a reply could not be delivered and neither an agents channel nor an admin could be told ({error})")
        return f"{channel}:{ts}" if ts else ""

    async def _tell_admins(self, ticket: Ticket, send: Callable[[str], Awaitable[str]]) -> int:
        told = 0
        for admin in sorted(self.admins):
            try:  # a DM to each listed admin; one failing must not hide the report from the others
                await send(admin)
                told += 1
            except Exception as exc:  # noqa: BLE001
                log.warning("could not tell admin %s about ticket %s: %s", admin, ticket.id, why(exc))
        return told

    async def update(self, ticket: Ticket) -> None:
        if not ticket.card_ref:
            log.warning("ticket %s has no card to update", ticket.id)
            return
        channel, ts = split_ref(ticket.card_ref)
        message = card(await self._named(ticket), await self._permalink(ticket))
        async with slack_errors("chat.update"):
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
            await post(self.client, channel, SlackMessage(message.text, tuple(blocks)), ts, key=prompt.idempotency_key)
