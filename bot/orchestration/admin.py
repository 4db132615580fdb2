"""Running the `/frontdesk` admin commands against the store, the same on every chat platform.

Only admins may change anything (who is an admin is the adapter's question: its `is_admin`); external users
(Slack Connect, Teams guests and other tenants) are always refused. Every change is recorded with who, what and
when. The adapter supplies the `Dialect` (how channels are written) and shows the `Outcome` its own way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from bot.core.errors import NotFound
from bot.core.ports import Store
from bot.core.types import Actor, Address, HandoffStatus
from bot.orchestration import no_ai
from bot.orchestration.commands import Command, Dialect, UsageError, parse
from bot.orchestration.demotion import DemotionBoard


class AdminHost(Protocol):
    """The slice of the composition root's App the commands use (structural: the App satisfies it)."""

    store: Store
    knowledge: Any
    demotions: DemotionBoard
    jobs: dict[str, Callable[[], Awaitable[str]]]  # on-demand runs of scheduled jobs (`digest now`)


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
        app: AdminHost,
        dialect: Dialect,
        is_admin: Callable[[Actor], Awaitable[bool]],
        *,
        kb_dir: Path,
        clock: Callable[[], datetime] | None = None,
    ):
        self.app = app
        self.dialect = dialect
        self.kb_dir = kb_dir
        self.is_admin = is_admin
        self.clock = clock or (lambda: datetime.now(UTC))

    async def handle(self, actor: Actor, workspace: str, here: str, text: str) -> Outcome:
        if actor.is_external:
            d = self.dialect
            return Outcome(f"Sorry, `{d.invoke}` is only for this {d.org_word}'s Frontdesk admins. Nothing was changed.")
        try:
            command = parse(text, self.dialect)
        except UsageError as exc:
            return Outcome(str(exc))
        if command.name == "help":
            return Outcome(self.dialect.help())
        if not await self.is_admin(actor):
            d = self.dialect
            return Outcome(
                f"Sorry, only Frontdesk admins can use `{d.invoke}`. Ask an admin to add you to {d.admins_setting}. "
                "Nothing was changed."
            )
        address = Address(self.dialect.platform, workspace, command.channel or here)
        handler = getattr(self, f"_{command.name}")
        result: Outcome = await handler(actor, command, address)
        return result

    async def _record(self, actor: Actor, what: str) -> None:
        await self.app.store.record_admin_change(actor.id, what, self.clock())

    async def _set(self, actor: Actor, address: Address, what: str, **changes: Any) -> Outcome:
        await self.app.store.set_channel(address, **changes)
        await self._record(actor, f"{what} in {address.channel}")
        return Outcome(f"Done: {what} in {self.dialect.show_channel(address.channel)}.")

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
            f"*Frontdesk in {self.dialect.show_channel(address.channel)}*",
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
        head = f"• Demoted articles ({len(demoted)}, {penalty}; undo with `{self.dialect.invoke} promote <id>`):"
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
        await self.app.store.put_setting(self.dialect.route_key + command.value, command.channel)
        await self._record(actor, f"route {command.value} to {command.channel}")
        return Outcome(f"Done: handoffs for `{command.value}` now go to {self.dialect.show_channel(command.channel)}.")

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

    async def _qa(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._run_job(
            actor, "qa", "qa now", missing="No QA job on this server, so there is nothing to post. Nothing was changed.",
            started="Drawing the QA sample… I'll tell you here when it has been posted.",
        )

    async def _legal(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._run_job(
            actor, "legal", "legal now",
            missing="No legal review job on this server, so there is nothing to post. Nothing was changed.",
            started="Drawing the legal review sample… I'll tell you here when it has been posted.",
        )

    async def _deepdive(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._run_job(
            actor, "deep_dive", "deepdive now",
            missing="No deep-dive job on this server, so there is nothing to send. Nothing was changed.",
            started="Composing last month's deep-dive… I'll tell you here when it has been sent.",
        )

    async def _audit(self, actor: Actor, command: Command, address: Address) -> Outcome:
        return await self._run_job(
            actor, "annual_audit", "audit now",
            missing="No annual audit job on this server, so there is nothing to send. Nothing was changed.",
            started="Composing the annual audit… I'll tell you here when it has been sent.",
        )

    async def _run_job(self, actor: Actor, name: str, logged: str, *, missing: str, started: str) -> Outcome:
        """Run a scheduled job now, after the ack (jobs take longer than Slack's 3 s), recorded in the admin log."""
        job = self.app.jobs.get(name)
        if job is None:
            return Outcome(missing)
        await self._record(actor, logged)
        return Outcome(started, job)

    async def _optout(self, actor: Actor, command: Command, address: Address) -> Outcome:
        """Customers who asked for no AI answers (not campaign opt-outs: those are `bot.orchestration.optout`)."""
        if command.value == "clear":
            cleared = await no_ai.clear(self.app.store, command.extra)
            if not cleared:
                return Outcome(
                    f"No customer matching `{command.extra}` asked for no AI answers "
                    f"(`{self.dialect.invoke} optout` lists them). Nothing was changed."
                )
            await self._record(actor, f"optout clear {command.extra}")
            names = "; ".join(e.describe() for e in cleared)
            return Outcome(f"Done: AI answers are back on for {len(cleared)} customer(s): {names}.")
        entries = await no_ai.listed(self.app.store)
        if not entries:
            return Outcome("No customer has asked for no AI answers.")
        lines = [f"*Customers who asked for no AI answers* ({len(entries)}; a person answers all their messages)"]
        lines += [f"• {e.describe()}" for e in entries]
        lines.append(f"Switch the AI back on with `{self.dialect.invoke} optout clear <customer|org|all>`.")
        return Outcome("\n".join(lines))

    async def _campaign(self, actor: Actor, command: Command, address: Address) -> Outcome:
        job = self.app.jobs.get(f"campaign.{command.value}")
        if job is None:
            known = sorted(name.removeprefix("campaign.") for name in self.app.jobs if name.startswith("campaign."))
            listed = ", ".join(f"`{name}`" for name in known) or "none are configured ([campaigns.<name>] in frontdesk.toml)"
            return Outcome(f"No campaign `{command.value}`; campaigns: {listed}. Nothing was sent.")
        await self._record(actor, f"campaign {command.value} now")
        return Outcome(f"Sending campaign `{command.value}`… I'll tell you here how many channels got it.", job)
