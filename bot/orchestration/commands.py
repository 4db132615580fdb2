"""The `/frontdesk` admin command language, shared by every chat platform: a pure parser and its help text.

Slack types it as a slash command, Teams as a bot mention or a 1:1 message; only how a channel or a person is
written differs (`<#C123>` in Slack, a channel mention or conversation id in Teams). That difference is the
`Dialect`, the narrow seam each adapter fills in; the words, the checks and the error sentences are the same.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.types import Mode, Platform

_HELP = """*Frontdesk admin commands* ({usage}; `[#channel]` defaults to the channel you type in)
• `status [#channel]` — mode, threshold, AI share, open handoffs, KB version, demoted articles
• `mode <ai-first|pre-approval|agent-first|parallel|hybrid|off> [#channel]`
• `threshold <0–1> [#channel]` — confidence needed for the AI to answer
• `route <topic> <#channel>` — post handoffs for a team/topic to an agents channel
• `vip add|remove <@user|org id>` — VIPs go straight to a person
• `share <percent> [#channel]` — share of new conversations the AI takes
• `pause|resume [#channel]` — stop or restart the AI in a channel
• `reindex` — re-ingest the knowledge base
• `digest now` — post the weekly digest
• `review now` — send each team lead its stale and uncited articles (the quarterly KB review)
• `qa now` — post the weekly QA sample (and the per-language samples) with grade buttons
• `legal now` — post the monthly legal review sample
• `deepdive now` — send the monthly deep-dive (last month beside the three before)
• `audit now` — send the annual audit (the year's trends, articles never cited, policies never triggered)
• `promote <article id>` — undo an article's demotion (see `status`)
• `campaign <name> now` — send a `[campaigns.<name>]` message to customer channels
• `optout [clear <customer|org|all>]` — customers who asked for no AI answers; `clear` switches the AI back on"""

# The command words, read from the help text so a new command is suggested for typos without a second list.
COMMANDS = ("help", "resume", *re.findall(r"^• `([a-z]+)", _HELP, re.MULTILINE))


class UsageError(ValueError):
    """The command was not understood; the message says what to type instead."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    value: str = ""
    channel: str = ""  # explicit #channel, else "" (the channel typed in)
    extra: str = ""


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one platform writes what the commands talk about; everything else is shared.

    `channel_id` turns a typed channel token into the platform's channel id (raising UsageError with a sentence
    that says how to pick one on that platform); `show_channel` turns an id back into what people read.
    """

    platform: Platform
    invoke: str  # how the command is typed: "/frontdesk", "@Frontdesk"
    usage: str  # the help's first line: where and how to type it
    channel_id: Callable[[str], str]
    subject_id: Callable[[str], str]
    show_channel: Callable[[str], str]
    route_key: str  # store setting prefix for `route` (read by the adapter's directory)
    admins_setting: str  # the environment variable that lists admins, named in refusals
    org_word: str = "workspace"  # "this workspace's admins" / "this organisation's admins"

    def help(self) -> str:
        return _HELP.format(usage=self.usage)


def _optional_channel(dialect: Dialect, args: list[str], name: str) -> str:
    if len(args) > 1:
        raise UsageError(f"`{name}` takes at most one #channel")
    return dialect.channel_id(args[0]) if args else ""


def _fraction(args: list[str]) -> float:
    try:
        return float(args[0]) if args else -1.0
    except ValueError:
        return -1.0


def parse(text: str, dialect: Dialect) -> Command:
    """Parse the command text; raises UsageError naming the problem."""
    words = text.split()
    if not words or words[0].lower() == "help":
        return Command("help")
    name, args = words[0].lower(), words[1:]
    if name in ("status", "pause", "resume"):
        return Command(name, channel=_optional_channel(dialect, args, name))
    if name == "mode":
        modes = [m.value for m in Mode]
        if not args or args[0].lower() not in modes:
            raise UsageError(f"usage: `mode <{'|'.join(modes)}> [#channel]`")
        return Command(name, args[0].lower(), _optional_channel(dialect, args[1:], name))
    if name == "threshold":
        value = _fraction(args)
        if not 0.0 <= value <= 1.0:
            given = args[0].rstrip("%") if args else ""
            if given.replace(".", "", 1).isdigit() and 1.0 < float(given) <= 100.0:
                # "threshold 70" or "70%": the number is right, the scale is not.
                hint = f"threshold {float(given) / 100:g}"
                raise UsageError(f"the threshold is a number from 0 to 1: did you mean `{hint}`?")
            raise UsageError("usage: `threshold <number from 0 to 1> [#channel]`, e.g. `threshold 0.7`")
        return Command(name, str(value), _optional_channel(dialect, args[1:], name))
    if name == "share":
        percent = _fraction([args[0].rstrip("%")] if args else [])
        if not 0.0 <= percent <= 100.0:
            raise UsageError("usage: `share <percent from 0 to 100> [#channel]`, e.g. `share 30`")
        return Command(name, str(percent), _optional_channel(dialect, args[1:], name))
    if name == "route":
        if len(args) != 2:
            raise UsageError("usage: `route <topic> <#channel>`, e.g. `route billing #billing-agents`")
        return Command(name, args[0].lower(), dialect.channel_id(args[1]))
    if name == "vip":
        if len(args) != 2 or args[0].lower() not in ("add", "remove"):
            raise UsageError("usage: `vip add|remove <@user|org id>`")
        return Command(name, dialect.subject_id(args[1]), extra=args[0].lower())
    if name == "reindex":
        return Command(name)
    if name in ("digest", "review", "qa", "legal", "deepdive", "audit"):
        if args[:1] != ["now"]:
            raise UsageError(f"usage: `{name} now`")
        return Command(name, "now")
    if name == "promote":
        if len(args) != 1:
            raise UsageError("usage: `promote <article id>`, e.g. `promote billing-refund-policy` (`status` lists them)")
        return Command(name, args[0])
    if name == "campaign":
        if len(args) != 2 or args[1].lower() != "now":
            raise UsageError("usage: `campaign <name> now`, e.g. `campaign exports now`")
        return Command(name, args[0])
    if name == "optout":
        if not args:
            return Command(name)
        if args[0].lower() != "clear" or len(args) < 2:
            raise UsageError("usage: `optout` lists, `optout clear <customer id|name|org|all>` switches AI answers back on")
        return Command(name, "clear", extra=" ".join(args[1:]))
    close = difflib.get_close_matches(name, COMMANDS, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    raise UsageError(f"unknown command `{name}`.{hint} Type `{dialect.invoke} help` for the list.")
