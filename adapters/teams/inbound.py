"""Pure translation of Bot Framework activities from Teams into neutral `bot.core.types` (no I/O).

Who is who: `FRONTDESK_TEAMS_TENANT_ID` is the vendor's tenant. The author's tenant is `from.tenantId` when Teams
sends it (shared channels carry each member's home tenant), else the activity's tenant (`channelData.tenant.id`,
then `conversation.tenantId`). Our tenant's members are agents; everyone else, and any guest (`from.role` or
`userRole` "guest"), is a customer. Threads: a channel conversation id `…;messageid=<root>` is the thread
`<root>` of channel `…`; a personal (1:1) or group chat is one running conversation of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.teams.references import base_id
from bot.core.types import Actor, Address, Inbound, InboundKind, Platform, Role

_AT = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def tenant_of(activity: Mapping[str, Any]) -> str:
    channel_data = activity.get("channelData") or {}
    return str((channel_data.get("tenant") or {}).get("id") or (activity.get("conversation") or {}).get("tenantId") or "")


def author_tenant(activity: Mapping[str, Any]) -> str:
    sender = activity.get("from") or {}
    return str(sender.get("tenantId") or tenant_of(activity))


def conversation_type(activity: Mapping[str, Any]) -> str:
    return str((activity.get("conversation") or {}).get("conversationType") or "")


def bot_mentioned(activity: Mapping[str, Any]) -> bool:
    bot_id = str((activity.get("recipient") or {}).get("id") or "")
    for entity in activity.get("entities") or []:
        if entity.get("type") == "mention" and str((entity.get("mentioned") or {}).get("id") or "") == bot_id:
            return True
    return False


def plain_text(activity: Mapping[str, Any]) -> str:
    """The words typed: our bot's `<at>…</at>` mention removed, other mentions kept as their names, tags dropped."""
    text = str(activity.get("text") or "")
    bot_id = str((activity.get("recipient") or {}).get("id") or "")
    bot_names = {
        str(entity.get("text") or "")
        for entity in activity.get("entities") or []
        if entity.get("type") == "mention" and str((entity.get("mentioned") or {}).get("id") or "") == bot_id
    }
    for mention in bot_names:
        if mention:
            text = text.replace(mention, " ")
    text = _AT.sub(lambda m: m.group(1), text)
    text = html.unescape(_TAG.sub(" ", text))
    return " ".join(text.split())


def actor_of(activity: Mapping[str, Any], our_tenant: str) -> Actor:
    sender = activity.get("from") or {}
    tenant = author_tenant(activity)
    guest = str(sender.get("role") or sender.get("userRole") or "").lower() == "guest"
    external = guest or not tenant or tenant != our_tenant
    return Actor(
        id=str(sender.get("aadObjectId") or sender.get("id") or ""),
        name=str(sender.get("name") or ""),
        org=tenant,
        role=Role.CUSTOMER if external else Role.AGENT,
        is_external=external,
    )


def address_of(activity: Mapping[str, Any], workspace: str) -> Address | None:
    """`workspace` is our own tenant, as Slack's is our installation: channel ids are unique across tenants, and the
    conversation's own tenant and serviceUrl ride along in `opaque` (and in the stored reference)."""
    conversation = activity.get("conversation") or {}
    raw = str(conversation.get("id") or "")
    if not raw:
        return None
    kind = conversation_type(activity)
    channel = base_id(raw)
    opaque = {"serviceUrl": str(activity.get("serviceUrl") or ""), "tenantId": tenant_of(activity)}
    if kind == "channel":
        root = raw.split(";messageid=")[1] if ";messageid=" in raw else str(activity.get("replyToId") or activity.get("id") or "")
        return Address(Platform.TEAMS, workspace, channel, root or None, False, opaque)
    return Address(Platform.TEAMS, workspace, channel, None, True, opaque)


def received_at(activity: Mapping[str, Any]) -> datetime:
    raw = str(activity.get("timestamp") or "")
    try:
        # Teams sends 7 fractional digits; Python reads at most 6.
        stamp = re.sub(r"(\.\d{6})\d+", r"\1", raw.replace("Z", "+00:00"))
        return datetime.fromisoformat(stamp).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


def ignore_reason(activity: Mapping[str, Any]) -> str | None:
    """Why a message activity is not a person talking to us, or None when it is."""
    if activity.get("type") != "message":
        return f"activity {activity.get('type')!r}"
    sender = activity.get("from") or {}
    if str(sender.get("id") or "").startswith("28:") or str(sender.get("role") or "") == "bot":
        return "bot message"
    if activity.get("value") and not activity.get("text"):
        return "card submit"
    if not plain_text(activity):
        return "no text"
    if not (activity.get("conversation") or {}).get("id") or not activity.get("id"):
        return "no conversation or id"
    return None


def to_inbound(activity: Mapping[str, Any], our_tenant: str) -> Inbound | None:
    if ignore_reason(activity):
        return None
    address = address_of(activity, our_tenant)
    if address is None:
        return None
    author = actor_of(activity, our_tenant)
    message_id = f"{address.channel}:{activity['id']}"  # a retried activity keeps its id: answered once
    return Inbound(message_id, address, author, plain_text(activity), received_at(activity))


def human_request(address: Address, actor: Actor, *, unique: str, at: datetime) -> Inbound:
    """"Talk to a person", pressed once: the handoff itself (a reason may be asked afterwards, never before)."""
    return Inbound(f"{address.channel}:{unique}:human", address, actor, "", at, kind=InboundKind.HUMAN_REQUEST)
