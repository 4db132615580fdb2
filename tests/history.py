"""A week of support history, made by driving the real engine, dispatcher and desk into a real SQLite store.

Metrics, the report command and the scheduled digest / QA jobs are all tested on this same history, so their
numbers are computed from what the system actually recorded, not from hand-written rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bootstrap import App, bootstrap, channel_defaults
from bot.core.types import (
    Actor,
    Address,
    Answer,
    ArticleHit,
    Citation,
    Inbound,
    InboundKind,
    Mode,
    Platform,
    Question,
    Role,
)
from bot.core.types import TokenUsage as Usage
from bot.settings import Settings, load_config
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.fakes import Clock, RecordingDesk, RecordingOutbox

USAGE = Usage(input_tokens=1000, output_tokens=100)
CONFIG = """
[routing]
approval_days = 0

[metrics]
input_price_per_million = 1.0
output_price_per_million = 4.0
agent_cost_per_hour = 60.0
"""
SHARED, GERMAN, DRAFTS = "C_SHARED", "C_DE", "C_DRAFTS"
AGENT = Actor("U_AGENT", "Alex", "us", Role.AGENT)


class Answerer:
    """Knows a password article (support, en + de) and an invoice article (billing); reports token usage."""

    async def answer(self, question: Question) -> Answer:
        text = question.text.lower()
        for words, article, team, reply in (
            (("password", "passwort"), "reset-password", "support", "Open Settings, then Security, then Reset."),
            (("invoice",), "invoices", "billing", "Invoices are under Billing, then History."),
            (("webhook",), "integrations-webhooks-signing-secret-rotation", "support",  # a long id, as real KBs have
             "Rotate the signing secret under Settings, then Webhooks."),
        ):
            if any(w in text for w in words):
                hit = ArticleHit(article, article.replace("-", " ").title(), 0.93, f"https://kb/{article}", team)
                return Answer(reply, 0.93, (hit,), (Citation(article, hit.title, hit.url),), team=team, usage=USAGE)
        return Answer("", 0.05, (), (), relevant=False)


@dataclass
class History:
    app: App
    clock: Clock
    outbox: RecordingOutbox
    agents: RecordingDesk
    now: datetime  # when the history ends ("now" for the report)
    n: int = 0

    def _customer(self, who: str, org: str = "T_ACME") -> Actor:
        return Actor(f"U_{who}", who.title(), org, Role.CUSTOMER, is_external=True)

    async def say(self, text: str, thread: str, *, channel: str = SHARED, who: str = "dana", at: datetime,
                  kind: InboundKind = InboundKind.MESSAGE, language: str | None = None, org: str = "T_ACME") -> Any:
        self.clock.now = at
        self.n += 1
        address = Address(Platform.SLACK, "T_HOME", channel, thread)
        inbound = Inbound(f"m{self.n}", address, self._customer(who, org), text, at, kind=kind, language=language)
        return await self.app.dispatcher.submit(inbound)

    async def helpful(self, thread: str, yes: bool, *, at: datetime, channel: str = SHARED) -> None:
        self.clock.now = at
        self.n += 1
        address = Address(Platform.SLACK, "T_HOME", channel, thread)
        await self.app.dispatcher.feedback(address, self._customer("dana"), helpful=yes, message_id=f"m{self.n}")

    async def ticket_of(self, thread: str, channel: str = SHARED) -> str:
        key = f"slack:T_HOME:{channel}:{thread}"
        return next(t.id for t in await self.app.store.tickets() if t.conversation_key == key)

    async def handle(self, thread: str, *, at: datetime, minutes: int, csat: int | None = None) -> None:
        """An agent claims the handoff at `at` and resolves it `minutes` later; the customer may rate it."""
        ticket = await self.ticket_of(thread)
        self.clock.now = at
        await self.app.desk.claim(ticket, AGENT)
        self.clock.now = at + timedelta(minutes=minutes)
        await self.app.desk.resolve(ticket, AGENT)
        if csat is not None:
            await self.app.desk.csat(f"slack:T_HOME:{SHARED}:{thread}", self._customer("dana"), csat)


async def open_history(tmp_path: Path, *, extra_config: str = "", now: datetime | None = None) -> tuple[History, dict[str, str]]:
    """A migrated SQLite store under tmp_path/var and an app on it; returns the history and the CLI environment."""
    config_file = tmp_path / "frontdesk.toml"
    config_file.write_text(CONFIG + extra_config, encoding="utf-8")
    env = {"FRONTDESK_DATA_DIR": str(tmp_path / "var"), "FRONTDESK_CONFIG": str(config_file)}
    settings = Settings(data_dir=tmp_path / "var", config_file=config_file, database_url="")
    config = load_config(config_file)
    now = now or datetime.now(UTC).replace(microsecond=0)
    clock = Clock(now)
    url = settings.resolved_database_url
    await upgrade(url)
    store = SqlStore(url, channel_defaults(config, settings), clock=clock)
    app = await bootstrap(settings, config=config, store=store, answerer=Answerer(),
                          kb_languages=frozenset({"en", "de"}), clock=clock)
    outbox, agents = RecordingOutbox(), RecordingDesk()
    app.outboxes[Platform.SLACK] = outbox
    app.desks[Platform.SLACK] = agents
    await store.set_channel(Address(Platform.SLACK, "T_HOME", DRAFTS), mode=Mode.PRE_APPROVAL)
    return History(app, clock, outbox, agents, now), env


async def fill_week(h: History) -> None:
    """Seven conversations this week and two the week before (expected numbers: tests/cli/test_report.py)."""
    week = h.now - timedelta(days=5)
    # A: answered, "helpful" -> AI-resolved.
    await h.say("How do I reset my password?", "a", at=week)
    await h.helpful("a", True, at=week + timedelta(minutes=1))
    # B: answered, then "not helpful" -> the AI asks to clarify; negative feedback, never reached a person.
    await h.say("Where is my invoice?", "b", at=week + timedelta(hours=1))
    await h.helpful("b", False, at=week + timedelta(hours=1, minutes=1))
    # C: asks for a person; handled in 30 minutes, CSAT 5.
    await h.say("I want to talk to a human", "c", at=week + timedelta(hours=2))
    await h.handle("c", at=week + timedelta(hours=2, minutes=5), minutes=30, csat=5)
    # D: nothing in the KB; handled in 15 minutes, CSAT 2.
    await h.say("Does the quantum flux module support warp drives?", "d", at=week + timedelta(hours=3))
    await h.handle("d", at=week + timedelta(hours=3, minutes=5), minutes=15, csat=2)
    # E: German, answered, but the customer is back two days later -> reopened.
    await h.say("Wie setze ich mein Passwort zurück?", "e", channel=GERMAN, language="de", at=week + timedelta(hours=4))
    await h.say("Mein Passwort geht immer noch nicht, wie setze ich es zurück?", "e", channel=GERMAN, language="de",
                at=week + timedelta(days=2, hours=4))
    # F, G: pre-approval drafts; F edited by the agent (an override), G approved as is.
    await h.say("Can I get a copy of my invoice?", "f", channel=DRAFTS, at=week + timedelta(hours=5))
    h.clock.now = week + timedelta(hours=5, minutes=10)
    await h.app.desk.edit(await h.ticket_of("f", DRAFTS), AGENT, "Your invoices are under Billing > History.")
    await h.say("How do I reset my password please?", "g", channel=DRAFTS, at=week + timedelta(hours=6))
    h.clock.now = week + timedelta(hours=6, minutes=5)
    await h.app.desk.approve(await h.ticket_of("g", DRAFTS), AGENT)
    # The week before: one AI-resolved conversation and one handoff.
    before = h.now - timedelta(days=10)
    await h.say("I forgot my password, how do I reset it?", "p1", at=before)
    await h.helpful("p1", True, at=before + timedelta(minutes=1))
    await h.say("Can I talk to a human?", "p2", at=before + timedelta(hours=1))
    h.clock.now = h.now
