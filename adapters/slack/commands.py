"""`/frontdesk` in Slack: the shared admin commands (`bot.orchestration.commands` / `.admin`) in Slack's dialect.

Only admins may change anything (FRONTDESK_ADMINS, `[slack] admins`, or workspace admins/owners per users.info);
external (Slack Connect) users are always refused. What is Slack's own is how a channel is written: `<#C123|name>`
when picked from Slack's list (the command is declared with `should_escape`), shown back as `<#C123>`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.slack.host import Host
from bot.core.types import Actor, Platform
from bot.orchestration import admin
from bot.orchestration.admin import Outcome, describe_ingest
from bot.orchestration.commands import COMMANDS, Command, Dialect, UsageError
from bot.orchestration.commands import parse as parse_in

__all__ = ["COMMANDS", "HELP", "ROUTE_KEY", "SLACK", "Command", "Commands", "Outcome", "UsageError", "describe_ingest", "parse"]

ROUTE_KEY = "slack.route."
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9_]+)(?:\|[^>]*)?>$|^([CGD][A-Z0-9_]{6,})$")
_USER = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")


def channel_id(token: str) -> str:
    match = _CHANNEL.match(token)
    if not match:
        if token.startswith("#"):
            # Slack sends `<#C…|name>` only for a channel picked from its autocomplete list.
            raise UsageError(f"`{token}` is not a channel Slack recognised: pick it from the list that opens when you "
                             "type #, and invite Frontdesk to private channels first")
        raise UsageError(f"`{token}` is not a channel: pick one with #")
    return match.group(1) or match.group(2)


def subject_id(token: str) -> str:
    match = _USER.match(token)
    return match.group(1) if match else token.strip()


SLACK = Dialect(
    platform=Platform.SLACK,
    invoke="/frontdesk",
    usage="`/frontdesk …`",
    channel_id=channel_id,
    subject_id=subject_id,
    show_channel=lambda channel: f"<#{channel}>",
    route_key=ROUTE_KEY,
    admins_setting="FRONTDESK_ADMINS",
)
HELP = SLACK.help()


def parse(text: str) -> Command:
    """Parse Slack's command text; raises UsageError naming the problem."""
    return parse_in(text, SLACK)


class Commands(admin.Commands):
    """The shared executor with Slack's dialect."""

    def __init__(self, app: Host, is_admin: Callable[[Actor], Awaitable[bool]], *, kb_dir: Path) -> None:
        super().__init__(app, SLACK, is_admin, kb_dir=kb_dir)
