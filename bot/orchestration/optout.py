"""Per-customer opt-out of proactive messages (MISSION §6), kept in the store's settings.

An organisation opts out when one of its people presses "Stop these updates"; without a known organisation the
channel opts out. Both the Slack adapter (the button) and the campaign job read and write through these functions,
so the key scheme lives in one place.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.ports import Store
from bot.core.types import Address

PREFIX = "optout."


def subject(org: str, address: Address) -> str:
    return f"org:{org}" if org else f"channel:{address.platform}:{address.workspace}:{address.channel}"


async def opt_out(store: Store, org: str, address: Address, at: datetime, actor_id: str) -> None:
    await store.put_setting(PREFIX + subject(org, address), f"{at.isoformat()} {actor_id}")


async def opt_in(store: Store, org: str, address: Address) -> None:
    await store.put_setting(PREFIX + subject(org, address), "")


async def opted_out(store: Store, org: str, address: Address) -> bool:
    """True when the organisation, or the channel itself, asked for no proactive messages."""
    for key in {subject(org, address), subject("", address)}:
        if await store.get_setting(PREFIX + key):
            return True
    return False
