"""Proactive campaigns (MISSION §6): a configured message to the channels customers have written in.

Each run walks the store's contacts (stored addresses, so Teams' conversation references work the same way) and,
per channel: skips opted-out organisations, places the organisation in the holdout group or the pilot share by a
stable hash (the same organisation is always on the same side of one campaign), respects the per-channel frequency
cap across campaigns, and sends through the `Outbox` port with a "Stop these updates" button. Nothing is sent
during the campaign's quiet hours. Who got it and who was held out is recorded, to compare tickets afterwards.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import FrontdeskError
from bot.core.ports import Contact, Store
from bot.core.types import Action, Reply
from bot.metrics.compute import ratio
from bot.metrics.significance import Comparison, compare
from bot.orchestration.optout import PREFIX as OPT_OUT_PREFIX
from bot.orchestration.optout import opted_out, subject
from scheduler.config import CampaignConfig
from scheduler.context import JobContext

log = logging.getLogger(__name__)

LAST_SENT = "campaigns.last_sent."  # + channel id: when any campaign last reached the channel (frequency cap)
MEMBER = "campaigns.member."  # + campaign + channel id: "sent <time>" or "holdout <time>"
OPT_OUT_ACTION = "opt_out"


def channel_id(contact: Contact) -> str:
    a = contact.address
    return f"{a.platform}:{a.workspace}:{a.channel}"


def bucket(*parts: str) -> float:
    """A stable number in [0, 1) for an organisation in a campaign (never `hash()`: it changes per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def group(name: str, campaign: CampaignConfig, contact: Contact) -> str:
    """holdout | pilot | outside: which side of the experiment this organisation (or channel) is on."""
    who = contact.org or channel_id(contact)
    if bucket(name, "holdout", who) < campaign.holdout:
        return "holdout"
    return "pilot" if bucket(name, "pilot", who) < campaign.share else "outside"


def message(campaign: CampaignConfig, contact: Contact, label: str, name: str) -> Reply:
    template = campaign.texts.get(contact.language or "", campaign.text)
    return Reply(template.format(org=contact.org or "your team"), actions=(Action(OPT_OUT_ACTION, label, name),))


@dataclass(frozen=True, slots=True)
class Plan:
    contact: Contact
    outcome: str  # send | holdout | outside | opted_out | capped | not_targeted


async def plan(
    ctx: JobContext, name: str, campaign: CampaignConfig, now: datetime, orgs: list[str] | None = None
) -> list[Plan]:
    """What one run would do for each contact (decisions over the store's state; nothing is sent). `orgs`, from an
    event, overrides the campaign's own targeting."""
    out = []
    cap = timedelta(days=campaign.min_days_between)
    targets = campaign.orgs if orgs is None else orgs
    for contact in await ctx.store.contacts():
        if targets and contact.org not in targets:
            outcome = "not_targeted"
        elif await opted_out(ctx.store, contact.org, contact.address):
            outcome = "opted_out"
        elif (side := group(name, campaign, contact)) != "pilot":
            outcome = side
        else:
            last = await ctx.store.get_setting(LAST_SENT + channel_id(contact))
            recent = last is not None and cap and now - datetime.fromisoformat(last) < cap
            outcome = "capped" if recent else "send"
        out.append(Plan(contact, outcome))
    return out


async def run_campaign(ctx: JobContext, *, name: str, orgs: list[str] | None = None) -> str:
    campaign = ctx.campaigns.get(name)
    if campaign is None:
        raise FrontdeskError(f"no campaign {name!r} in frontdesk.toml ([campaigns.<name>])")
    now = ctx.clock()
    local = now.astimezone(ZoneInfo(ctx.scheduler.timezone))
    if campaign.quiet(local.hour, local.minute):
        return f"Campaign {name}: not sent, {local:%H:%M} is inside its quiet hours ({campaign.quiet_hours})."
    counts: Counter[str] = Counter()
    for item in await plan(ctx, name, campaign, now, orgs):
        key = channel_id(item.contact)
        if item.outcome == "holdout" and await ctx.store.get_setting(MEMBER + f"{name}.{key}") is None:
            await ctx.store.put_setting(MEMBER + f"{name}.{key}", f"holdout {now.isoformat()}")
        if item.outcome != "send":
            counts[item.outcome] += 1
            continue
        reply = message(campaign, item.contact, "Stop these updates", name)
        try:
            await ctx.send(item.contact.address.platform, item.contact.address.channel, reply,
                           address=item.contact.address)
        except Exception as exc:  # noqa: BLE001 - one unreachable channel must not stop the campaign
            log.warning("campaign %s to %s failed: %s", name, key, exc)
            counts["failed"] += 1
            continue
        await ctx.store.put_setting(LAST_SENT + key, now.isoformat())
        await ctx.store.put_setting(MEMBER + f"{name}.{key}", f"sent {now.isoformat()}")
        counts["sent"] += 1
    order = ("sent", "holdout", "outside", "capped", "opted_out", "not_targeted", "failed")
    parts = [f"{counts[k]} {k.replace('_', ' ')}" for k in order if counts[k]]
    return f"Campaign {name}: " + (", ".join(parts) if parts else "no customer channels yet") + "."


@dataclass(frozen=True, slots=True)
class Effect:
    """Tickets and conversations per channel after a campaign, for channels that got it vs the holdout group."""

    name: str
    window_days: int
    sent_channels: int = 0
    holdout_channels: int = 0
    sent_tickets: int = 0
    holdout_tickets: int = 0
    sent_conversations: int = 0
    holdout_conversations: int = 0
    sent_per_channel: tuple[int, ...] = ()  # tickets in each channel that got it, for the significance test
    holdout_per_channel: tuple[int, ...] = ()
    opted_out: int = 0  # channels that got it whose organisation (or the channel) pressed "Stop" afterwards

    @property
    def opt_out_rate(self) -> float | None:
        return ratio(self.opted_out, self.sent_channels)

    def comparison(self) -> Comparison:
        """Tickets per channel, sent vs holdout: difference, 95 % interval, permutation p-value (or too small)."""
        return compare(self.sent_per_channel, self.holdout_per_channel)

    @property
    def sent_tickets_per_channel(self) -> float | None:
        return ratio(self.sent_tickets, self.sent_channels)

    @property
    def holdout_tickets_per_channel(self) -> float | None:
        return ratio(self.holdout_tickets, self.holdout_channels)

    @property
    def ticket_reduction(self) -> float | None:
        """1 − (tickets per channel that got it) / (tickets per channel held out); None without a comparison."""
        sent, held = self.sent_tickets_per_channel, self.holdout_tickets_per_channel
        if sent is None or not held:
            return None
        return 1 - sent / held

    def to_json(self) -> dict[str, object]:
        return {
            "campaign": self.name,
            "window_days": self.window_days,
            "sent_channels": self.sent_channels,
            "holdout_channels": self.holdout_channels,
            "sent_tickets": self.sent_tickets,
            "holdout_tickets": self.holdout_tickets,
            "sent_conversations": self.sent_conversations,
            "holdout_conversations": self.holdout_conversations,
            "sent_tickets_per_channel": self.sent_tickets_per_channel,
            "holdout_tickets_per_channel": self.holdout_tickets_per_channel,
            "ticket_reduction": self.ticket_reduction,
            "opted_out": self.opted_out,
            "opt_out_rate": self.opt_out_rate,
            "tickets_per_channel_difference": self.comparison().to_json(),
        }


async def effect(store: Store, name: str, window_days: int = 14) -> Effect:
    """Measure a campaign against its holdout (MISSION §6): handoff tickets and conversations opened in each
    channel within `window_days` after it was sent (or held out)."""
    members: dict[str, tuple[str, datetime]] = {}
    opted = 0
    for contact in await store.contacts():
        value = await store.get_setting(MEMBER + f"{name}.{channel_id(contact)}")
        if value:
            side, _, at = value.partition(" ")
            members[channel_id(contact)] = (side, datetime.fromisoformat(at))
            if side == "sent":
                opted += await _stopped_after(store, contact, datetime.fromisoformat(at))
    if not members:
        return Effect(name, window_days)
    window = timedelta(days=window_days)
    start = min(at for _, at in members.values())
    tickets: Counter[str] = Counter()
    per_channel: Counter[str] = Counter()
    for ticket in await store.tickets():
        a = ticket.address
        member = members.get(f"{a.platform}:{a.workspace}:{a.channel}")
        if member and ticket.created_at and member[1] <= ticket.created_at < member[1] + window:
            tickets[member[0]] += 1
            per_channel[f"{a.platform}:{a.workspace}:{a.channel}"] += 1
    conversations: dict[str, set[str]] = {"sent": set(), "holdout": set()}
    for d in await store.decisions(start):
        platform, workspace, channel = (d.conversation_key.split(":") + ["", "", ""])[:3]
        member = members.get(f"{platform}:{workspace}:{channel}")
        if member and d.kind != "ignore" and member[1] <= d.at < member[1] + window:
            conversations.setdefault(member[0], set()).add(d.conversation_key)
    sides = Counter(side for side, _ in members.values())
    return Effect(
        name,
        window_days,
        sent_channels=sides["sent"],
        holdout_channels=sides["holdout"],
        sent_tickets=tickets["sent"],
        holdout_tickets=tickets["holdout"],
        sent_conversations=len(conversations["sent"]),
        holdout_conversations=len(conversations["holdout"]),
        sent_per_channel=tuple(per_channel[k] for k, (side, _) in sorted(members.items()) if side == "sent"),
        holdout_per_channel=tuple(per_channel[k] for k, (side, _) in sorted(members.items()) if side == "holdout"),
        opted_out=opted,
    )


async def _stopped_after(store: Store, contact: Contact, sent: datetime) -> bool:
    """True when the contact's organisation (or channel) opted out at or after the campaign reached it."""
    for key in {subject(contact.org, contact.address), subject("", contact.address)}:
        value = await store.get_setting(OPT_OUT_PREFIX + key)
        if value:
            try:
                if datetime.fromisoformat(value.split(" ", 1)[0]) >= sent:
                    return True
            except ValueError:
                continue
    return False
