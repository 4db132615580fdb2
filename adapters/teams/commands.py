"""The `/frontdesk` admin commands in Teams, which has no slash commands: the same command set (shared in
`bot.orchestration.commands` / `.admin`) typed as a bot mention in a channel or as a message in a 1:1 chat.

Teams' dialect: a channel is its conversation id (`19:…@thread.tacv2`) or a channel @mention (which Teams delivers
as a mention entity carrying that id); a person is an @mention (their AAD object id) or an id; channels are shown by
their name when the bot has seen it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from adapters.teams.directory import ROUTE_KEY
from bot.core.types import Platform
from bot.orchestration.commands import COMMANDS, Dialect, UsageError, parse

_CHANNEL = re.compile(r"^19:[^\s;]+@thread\.[a-z0-9]+$")


def channel_id(token: str) -> str:
    if not _CHANNEL.match(token):
        raise UsageError(
            f"`{token}` is not a Teams channel: @mention the channel, or paste its id (19:…@thread.tacv2, from "
            "the channel's “Get link to channel”)"
        )
    return token


def subject_id(token: str) -> str:
    return token.strip()


def dialect(names: Mapping[str, str]) -> Dialect:
    def show(channel: str) -> str:
        name = names.get(channel)
        return f"the channel “{name}”" if name else f"channel {channel}"

    return Dialect(
        platform=Platform.TEAMS,
        invoke="@Frontdesk",
        usage="`@Frontdesk …` in a channel, or the command alone in your 1:1 chat with Frontdesk",
        channel_id=channel_id,
        subject_id=subject_id,
        show_channel=show,
        route_key=ROUTE_KEY,
        admins_setting="FRONTDESK_TEAMS_ADMINS",
        org_word="organisation",
    )


def command_text(activity: Mapping[str, Any], plain: Callable[[Mapping[str, Any]], str]) -> str:
    """The typed text with channel and people mentions replaced by their ids (what the parser reads)."""
    text = str(activity.get("text") or "")
    bot_id = str((activity.get("recipient") or {}).get("id") or "")
    for entity in activity.get("entities") or []:
        mentioned = entity.get("mentioned") or {}
        target = str(mentioned.get("id") or "")
        if entity.get("type") != "mention" or not entity.get("text") or target == bot_id:
            continue
        text = text.replace(str(entity["text"]), str(mentioned.get("aadObjectId") or target))
    text = plain({**activity, "text": text})
    return text.removeprefix("/frontdesk").strip()


def looks_like_command(text: str, dialect: Dialect, *, external: bool) -> bool:
    """A command is a known command word first; for an external user only a well-formed command other than help
    (so a customer asking "help with invoices" is answered, while "mode off" from them is refused, not answered)."""
    words = text.split()
    if not words or words[0].lower() not in COMMANDS:
        return False
    if not external:
        return True
    try:
        return parse(text, dialect).name != "help"
    except UsageError:
        return False
