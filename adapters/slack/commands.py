"""`/frontdesk` admin commands: a pure parser, and the execution against the store through the core's ports.

Only admins may change anything (FRONTDESK_ADMINS, `[slack] admins`, or workspace admins/owners per users.info);
external (Slack Connect) users are always refused. Every change is recorded with who, what and when.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.slack.host import Host
from bot.core.errors import NotFound
from bot.core.types import Actor, Address, HandoffStatus, Mode, Platform

HELP = """*Frontdesk admin commands* (`/frontdesk …`; `[#channel]` defaults to the channel you type in)
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
• `promote <article id>` — undo an article's demotion (see `status`)
• `campaign <name> now` — send a `[campaigns.<name>]` message to customer channels"""

# The command words, read from the help text so a new command is suggested for typos without a second list.
COMMANDS = ("help", "resume", *re.findall(r"^• `([a-z]+)", HELP, re.MULTILINE))
ROUTE_KEY = "slack.route."
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9_]+)(?:\|[^>]*)?>$|^([CGD][A-Z0-9_]{6,})$")
_USER = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")


class UsageError(ValueError):
    """The command was not understood; the message says what to type instead."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    value: str = ""
    channel: str = ""  # explicit #channel, else "" (the channel typed in)
    extra: str = ""


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


def _optional_channel(args: list[str], name: str) -> str:
    if len(args) > 1:
        raise UsageError(f"`{name}` takes at most one #channel")
    return channel_id(args[0]) if args else ""


def parse(text: str) -> Command:
    """Parse the command text; raises UsageError naming the problem."""
    words = text.split()
    if not words or words[0].lower() == "help":
        return Command("help")
    name, args = words[0].lower(), words[1:]
    if name in ("status", "pause", "resume"):
        return Command(name, channel=_optional_channel(args, name))
    if name == "mode":
        modes = [m.value for m in Mode]
        if not args or args[0].lower() not in modes:
            raise UsageError(f"usage: `mode <{'|'.join(modes)}> [#channel]`")
        return Command(name, args[0].lower(), _optional_channel(args[1:], name))
    if name == "threshold":
        try:
            value = float(args[0]) if args else -1.0
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            given = args[0].rstrip("%") if args else ""
            if given.replace(".", "", 1).isdigit() and 1.0 < float(given) <= 100.0:
                # "threshold 70" or "70%": the number is right, the scale is not.
                hint = f"threshold {float(given) / 100:g}"
                raise UsageError(f"the threshold is a number from 0 to 1: did you mean `{hint}`?")
            raise UsageError("usage: `threshold <number from 0 to 1> [#channel]`, e.g. `threshold 0.7`")
        return Command(name, str(value), _optional_channel(args[1:], name))
    if name == "share":
        raw = args[0].rstrip("%") if args else ""
        try:
            percent = float(raw)
        except ValueError:
            percent = -1.0
        if not 0.0 <= percent <= 100.0:
            raise UsageError("usage: `share <percent from 0 to 100> [#channel]`, e.g. `share 30`")
        return Command(name, str(percent), _optional_channel(args[1:], name))
    if name == "route":
        if len(args) != 2:
            raise UsageError("usage: `route <topic> <#channel>`, e.g. `route billing #billing-agents`")
        return Command(name, args[0].lower(), channel_id(args[1]))
    if name == "vip":
        if len(args) != 2 or args[0].lower() not in ("add", "remove"):
            raise UsageError("usage: `vip add|remove <@user|org id>`")
        return Command(name, subject_id(args[1]), extra=args[0].lower())
    if name == "reindex":
        return Command(name)
    if name == "digest":
        if args[:1] != ["now"]:
            raise UsageError("usage: `digest now`")
        return Command(name, "now")
    if name == "review":
        if args[:1] != ["now"]:
            raise UsageError("usage: `review now`")
        return Command(name, "now")
    if name == "promote":
        if len(args) != 1:
            raise UsageError("usage: `promote <article id>`, e.g. `promote billing-refund-policy` (`status` lists them)")
        return Command(name, args[0])
    if name == "campaign":
        if len(args) != 2 or args[1].lower() != "now":
            raise UsageError("usage: `campaign <name> now`, e.g. `campaign exports now`")
        return Command(name, args[0])
    close = difflib.get_close_matches(name, COMMANDS, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    raise UsageError(f"unknown command `{name}`.{hint} Type `/frontdesk help` for the list.")


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    later: Callable[[], Awaitable[str]] | None = None  # slow work (reindex) reported after the ack


def describe_ingest(kb_dir: Path, report: Any, version: str) -> str:
    """One line for the admin about an ingest report (`knowledge.base.IngestReport`, read by name)."""
    if report is None:
        return f"Reindexed {kb_dir}."
    counts = ", ".join(
        f"{getattr(report, name)} {name}" for name in ("added", "updated", "removed", "unchanged") if hasattr(report, name)
    )
    total = getattr(report, "articles", "?")
    seconds = getattr(report, "seconds", None)
    took = f" in {seconds:.1f}s" if isinstance(seconds, int | float) else ""
    return f"Reindexed {kb_dir}: {total} articles ({counts}){took}; version {getattr(report, 'version', version) or version}."


class Commands:
    def __init__(
        self,
        app: Host,
        is_admin: Callable[[Actor], Awaitable[bool]],
        *,
        kb_dir: Path,
        clock: Callable[[], datetime] | None = None,
    ):
        self.app = app
        self.kb_dir = kb_dir
        self.is_admin = is_admin
        self.clock = clock or (lambda: datetime.now(UTC))

    async def handle(self, actor: Actor, workspace: str, here: str, text: str) -> Outcome:
        if actor.is_external:
            return Outcome("Sorry, `/frontdesk` is only for this workspace's Frontdesk admins. Nothing was changed.")
        try:
            command = parse(text)
        except UsageError as exc:
            return Outcome(str(exc))
        if command.name == "help":
            return Outcome(HELP)
        if not await self.is_admin(actor):
            return Outcome("Sorry, only Frontdesk admins can use `/frontdesk`. Ask an admin to add you to FRONTDESK_ADMINS. Nothing was changed.")
        address = Address(Platform.SLACK, workspace, command.channel or here)
        handler = getattr(self, f"_{command.name}")
        result: Outcome = await handler(actor, command, address)
        return result

    async def _record(self, actor: Actor, what: str) -> None:
        await self.app.store.record_admin_change(actor.id, what, self.clock())

    async def _set(self, actor: Actor, address: Address, what: str, **changes: Any) -> Outcome:
        await self.app.store.set_channel(address, **changes)
        await self._record(actor, f"{what} in {address.channel}")
        return Outcome(f"Done: {what} in <#{address.channel}>.")

    async def _status(self, actor: Actor, command: Command, address: Address) -> Outcome:
        policy = await self.app.store.channel_policy(address, self.clock())
        open_tickets = await self.app.store.tickets(HandoffStatus.OPEN)
        here = sum(1 for t in open_tickets if t.address.channel == address.channel)
        kb = self.app.knowledge
        version = str(getattr(kb, "version", "") or "") if kb is not None else ""
        mode = policy.mode.value + ("" if policy.explicit_mode else " (default)")
        since = self.clock() - timedelta(days=7)
        prefix = f"{address.platform}:{address.workspace}:{address.channel}:"
        kinds = [d.kind for d in await self.app.store.decisions(since) if d.conversation_key.startswith(prefix)]
        decided = [k for k in kinds if k != "ignore"]
        answered = sum(1 for k in decided if k == "answer")
        handled = f"{answered / len(decided):.0%} of {len(decided)}" if decided else "no"
        lines = [
            f"*Frontdesk in <#{address.channel}>*",
            f"• Mode: {mode}" + ("  · *paused*" if policy.paused else ""),
            f"• Confidence threshold: {policy.threshold:.2f}",
            f"• AI share of new conversations: {policy.ai_share:.0%} (AI answered {handled} decisions in the last 7 days)",
            f"• Team: {policy.team or '—'}",
            f"• Open handoffs: {len(open_tickets)} ({here} from this channel)",
            f"• Knowledge base version: {version or 'not attached to this server'}",
            *self._demoted_lines(),
        ]
        return Outcome("\n".join(lines))

    def _demoted_lines(self) -> list[str]:
        board = self.app.demotions
        if not board.config.enabled:
            return ["• Demoted articles: demotion is off (`[demotion] enabled = false`)"]
        demoted = board.listed()
        if not demoted:
            return ["• Demoted articles: none"]
        penalty = f"−{board.config.penalty:.2f} confidence"
        head = f"• Demoted articles ({len(demoted)}, {penalty}; undo with `/frontdesk promote <id>`):"
        return [head, *(f"    ◦ `{d.article_id}`: {d.votes}" for d in demoted)]

    async def _promote(self, actor: Actor, command: Command, address: Address) -> Outcome:
        async def run() -> str:
            try:
                demotion = await self.app.demotions.promote(command.value, actor.id)
            except NotFound as exc:
                return f"Nothing to undo: {exc}. Nothing was changed."
            return (
                f"Done: `{demotion.article_id}` is no longer demoted ({demotion.votes}). Its votes so far are set aside; "
                "new ones count from now."
            )

        # The check recounts the window's votes, which on a busy desk takes longer than Slack's 3 s ack.
        return Outcome(f"Promoting `{command.value}`… I'll tell you here when it is done.", run)

    async def _review(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._run_job(
            actor, "kb_review", "review now",
            missing="No KB review job on this server, so there is nothing to send. Nothing was changed.",
            started="Listing stale and uncited articles per team… I'll tell you here when they have been sent.",
        )

    async def _mode(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._set(actor, address, f"mode set to {command.value}", mode=command.value)

    async def _threshold(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._set(actor, address, f"threshold set to {float(command.value):.2f}", threshold=float(command.value))

    async def _share(self, actor: Actor, command: Command, address: Address) -> Outcome:
        share = float(command.value) / 100
        return await self._set(actor, address, f"AI share set to {share:.0%}", ai_share=share)

    async def _pause(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._set(actor, address, "AI paused", paused=True)

    async def _resume(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._set(actor, address, "AI resumed", paused=False)

    async def _route(self, actor: Actor, command: Command, address: Address) -> Outcome:
        await self.app.store.put_setting(ROUTE_KEY + command.value, command.channel)
        await self._record(actor, f"route {command.value} to {command.channel}")
        return Outcome(f"Done: handoffs for `{command.value}` now go to <#{command.channel}>.")

    async def _vip(self, actor: Actor, command: Command, address: Address) -> Outcome:
        vip = command.extra == "add"
        await self.app.store.set_vip(command.value, vip)
        await self._record(actor, f"vip {command.extra} {command.value}")
        return Outcome(f"Done: {command.value} is {'now' if vip else 'no longer'} a VIP.")

    async def _reindex(self, actor: Actor, command: Command, address: Address) -> Outcome:
        kb = self.app.knowledge
        if kb is None:
            return Outcome("This server has no knowledge base attached (it runs with a custom answerer); nothing to reindex.")
        await self._record(actor, "reindex")

        async def run() -> str:
            report = await asyncio.to_thread(kb.ingest, self.kb_dir)  # minutes on a big KB: off the event loop
            return describe_ingest(self.kb_dir, report, str(getattr(kb, "version", "") or ""))

        return Outcome(f"Reindexing {self.kb_dir}… I'll tell you here when it is done.", run)

    async def _digest(self, actor: Actor, command: Command, address: Address) -> Outcome:
        # Composing reads a fortnight of history and posts one message per lead: longer than Slack's 3 s ack.
        return await self._run_job(
            actor, "digest", "digest now",
            missing="No digest job is configured on this server, so there is nothing to send. Nothing was changed.",
            started="Composing the weekly digest… I'll tell you here when it has been sent.",
        )

    async def _run_job(self, actor: Actor, name: str, logged: str, *, missing: str, started: str) -> Outcome:
        """Run a scheduled job now, after the ack (jobs take longer than Slack's 3 s), recorded in the admin log."""
        job = self.app.jobs.get(name)
        if job is None:
            return Outcome(missing)
        await self._record(actor, logged)
        return Outcome(started, job)

    async def _campaign(self, actor: Actor, command: Command, address: Address) -> Outcome:
        job = self.app.jobs.get(f"campaign.{command.value}")
        if job is None:
            known = sorted(name.removeprefix("campaign.") for name in self.app.jobs if name.startswith("campaign."))
            listed = ", ".join(f"`{name}`" for name in known) or "none are configured ([campaigns.<name>] in frontdesk.toml)"
            return Outcome(f"No campaign `{command.value}`; campaigns: {listed}. Nothing was sent.")
        await self._record(actor, f"campaign {command.value} now")
        return Outcome(f"Sending campaign `{command.value}`… I'll tell you here how many channels got it.", job)
