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

from bot.errors import FrontdeskError
from bot.optout import opted_out
from bot.ports import Contact
from bot.types import Action, Reply
from scheduler.config import CampaignConfig
from scheduler.jobs import JobContext

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


async def plan(ctx: JobContext, name: str, campaign: CampaignConfig, now: datetime) -> list[Plan]:
    """What one run would do for each contact (pure decisions over the store's state; nothing is sent)."""
    out = []
    cap = timedelta(days=campaign.min_days_between)
    for contact in await ctx.store.contacts():
        if campaign.orgs and contact.org not in campaign.orgs:
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


async def run_campaign(ctx: JobContext, *, name: str) -> str:
    campaign = ctx.campaigns.get(name)
    if campaign is None:
        raise FrontdeskError(f"no campaign {name!r} in frontdesk.toml ([campaigns.<name>])")
    now = ctx.clock()
    local = now.astimezone(ZoneInfo(ctx.scheduler.timezone))
    if campaign.quiet(local.hour, local.minute):
        return f"Campaign {name}: not sent, {local:%H:%M} is inside its quiet hours ({campaign.quiet_hours})."
    counts: Counter[str] = Counter()
    for item in await plan(ctx, name, campaign, now):
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
