"""Pure translation of Slack payloads (Events API envelopes, interactivity payloads) into neutral `bot.core.types`.

Nothing here does I/O, so every rule is tested as a table over the real payloads in ../shared/fixtures/slack.
Slack Connect is the subtle part: the envelope's outer `team_id` is often the *actor's* org, not ours, so the
installation comes from `authorizations[0]` (then `context_team_id`), and the actor's org from `user_team` /
`source_team` / `event.team` via bolt's own extractor (https://api.slack.com/apis/connect#events).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt.request.internals import extract_actor_enterprise_id, extract_actor_team_id

from bot.core.types import Actor, Address, Inbound, InboundKind, Platform, Role

# Message subtypes that are a person talking; everything else (edits, deletes, joins, bot posts, channel
# renames, ...) is ignored. https://api.slack.com/events/message#subtypes
PERSON_SUBTYPES = frozenset({"", "thread_broadcast", "file_share", "me_message"})


@dataclass(frozen=True, slots=True)
class Us:
    """Who "we" are, from `auth.test`: our team (and enterprise) and our bot's ids."""

    team_id: str
    enterprise_id: str = ""
    bot_user_id: str = ""
    bot_id: str = ""

    def owns(self, org: str) -> bool:
        return bool(org) and org in (self.team_id, self.enterprise_id)


def installation_team(body: Mapping[str, Any]) -> str:
    """The workspace the app is installed in (never the outer `team_id`, which is the actor's in Slack Connect)."""
    auths = body.get("authorizations") or []
    if auths and auths[0].get("team_id"):
        return str(auths[0]["team_id"])
    for key in ("context_team_id", "team_id"):
        if body.get(key):
            return str(body[key])
    view = body.get("view")
    if isinstance(view, Mapping) and view.get("app_installed_team_id"):
        return str(view["app_installed_team_id"])
    team = body.get("team")
    if isinstance(team, Mapping):
        return str(team.get("id") or "")
    return str(team or "")


def actor_org(body: Mapping[str, Any]) -> str:
    """The author's org (team id, or enterprise id when Slack only tells us that); "" when it cannot be known."""
    event = body.get("event") or {}
    if body.get("is_ext_shared_channel") is True:
        team = extract_actor_team_id(dict(body)) or extract_actor_enterprise_id(dict(body))
        return str(team or "")
    for key in ("user_team", "team"):
        if event.get(key):
            return str(event[key])
    profile = event.get("user_profile") or {}
    return str(profile.get("team") or installation_team(body))


def ignore_reason(body: Mapping[str, Any], us: Us | None = None) -> str | None:
    """Why a message event is not a person talking to us, or None when it is."""
    event = body.get("event") or {}
    if event.get("type") != "message":
        return f"event {event.get('type')!r}"
    subtype = event.get("subtype") or ""
    if subtype not in PERSON_SUBTYPES:
        return f"subtype {subtype}"
    if event.get("hidden"):
        return "hidden"
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        # Another app's chat.postMessage carries no subtype, only bot_id/bot_profile.
        return "bot message"
    if us is not None and event.get("user") == us.bot_user_id:
        return "our own message"
    if not plain_text(str(event.get("text") or ""), us.bot_user_id if us else "").strip():
        return "no text"  # also a bare mention of the bot
    if not event.get("channel") or not event.get("ts"):
        return "no channel or ts"
    return None


_MARKUP = re.compile(r"<([@#!])?([^<>|]+)(?:\|([^<>]*))?>")


def plain_text(text: str, bot_user_id: str = "") -> str:
    """Slack's message markup as the plain words a person typed (https://api.slack.com/reference/surfaces/formatting).

    Mentions of our bot are dropped (they are how people address it, not part of the question); other mentions,
    channels and links keep their label; &amp; &lt; &gt; are unescaped. Renderers escape again on the way out.
    """

    def replace(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return "" if target == bot_user_id else f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{label or target.split('^')[0]}"  # <!here>, <!subteam^S123|@team>
        return label or target

    out = _MARKUP.sub(replace, text)
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(out.split())


def slack_time(ts: str | None) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts or 0), UTC)
    except ValueError:
        return datetime.now(UTC)


def display_name(event: Mapping[str, Any]) -> str:
    profile = event.get("user_profile") or {}
    return str(profile.get("display_name") or profile.get("real_name") or profile.get("name") or "")


def to_inbound(body: Mapping[str, Any], us: Us | None = None) -> Inbound | None:
    """A customer's (or agent's) message event as an `Inbound`; None when it is not a person's message.

    `us` is our identity from auth.test; without it the installation team stands in for our team.
    """
    if ignore_reason(body, us):
        return None
    event = body["event"]
    workspace = installation_team(body)
    ours = us or Us(team_id=workspace)
    org = actor_org(body)
    # An author whose org cannot be determined in a shared channel is treated as a customer: wrongly silencing a
    # customer (agent role) is worse than answering a colleague.
    external = not ours.owns(org) if org else body.get("is_ext_shared_channel") is True
    channel, ts = str(event["channel"]), str(event["ts"])
    address = Address(
        Platform.SLACK,
        workspace=workspace,
        channel=channel,
        thread=str(event.get("thread_ts") or ts),
        is_dm=event.get("channel_type") == "im",
    )
    user = str(event["user"])
    author = Actor(
        id=user,
        # A colleague is named by mention, which Slack renders as their name when we tell the customer who is on it.
        name=display_name(event) if external else f"<@{user}>",
        org=org,
        role=Role.CUSTOMER if external else Role.AGENT,
        is_external=external,
    )
    text = plain_text(str(event.get("text") or ""), ours.bot_user_id)
    return Inbound(f"{channel}:{ts}", address, author, text, slack_time(ts))


# --- interactivity --------------------------------------------------------------------------------------------


def action_user(body: Mapping[str, Any], us: Us) -> Actor:
    """The person who pressed a button or submitted a modal; `user.team_id` tells whose org they belong to."""
    user = body.get("user") or {}
    org = str(user.get("team_id") or "")
    if not org:
        team = body.get("team")
        org = str(team.get("id") if isinstance(team, Mapping) else team or "")
    external = not us.owns(org)
    uid = str(user.get("id") or "")
    return Actor(
        id=uid,
        name=f"<@{uid}>" if uid else "",
        org=org,
        role=Role.CUSTOMER if external else Role.AGENT,
        is_external=external,
    )


def action_address(body: Mapping[str, Any], workspace: str) -> Address | None:
    """The customer conversation a button under one of our messages belongs to (its thread)."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    thread = container.get("thread_ts") or message.get("thread_ts") or container.get("message_ts")
    if not channel or not thread:
        return None
    return Address(Platform.SLACK, workspace, str(channel), str(thread), is_dm=str(channel).startswith("D"))


def human_request(
    address: Address, actor: Actor, *, unique: str, reason: str | None, at: datetime
) -> Inbound:
    """The "Talk to a human" press, with the customer's optional reason from the dropdown."""
    return Inbound(
        f"{address.channel}:{address.thread}:human:{unique}",
        address,
        actor,
        "",
        at,
        kind=InboundKind.HUMAN_REQUEST,
        reason_choice=reason or None,
    )
