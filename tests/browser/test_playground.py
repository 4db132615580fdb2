"""The playground end to end in headless Chromium: customer asks, hands off; agent claims, replies, resolves.

The real server (`build_web_app` on the real bootstrap) listens on a loopback port in a background thread; Playwright
drives Debian's Chromium (`/usr/bin/chromium`) and never downloads a browser. Set FRONTDESK_SCREENSHOT=<path> to keep
a screenshot of the finished conversation.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.server import build_web_app
from bot.bootstrap import bootstrap, channel_defaults
from bot.settings import Settings
from bot.store.memory import MemoryStore
from tests.adapters.web.conftest import TinyAnswerer, make_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


class ServerThread:
    """The real aiohttp server on 127.0.0.1:<free port>, on its own event loop so Playwright's sync API can drive it."""

    def __init__(self, data_dir: Path, *, database_url: str = "", port: int = 0) -> None:
        self.data_dir = data_dir
        self.database_url = database_url  # SQLite to outlive a restart; empty: a memory store
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="playground-server", daemon=True)
        self.runner: Any = None
        self.url = ""

    def __enter__(self) -> ServerThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()

    async def _start(self) -> None:
        from aiohttp import web

        from bot.store.migrate import upgrade
        from bot.store.sql import SqlStore

        config = make_config()
        settings = Settings(data_dir=self.data_dir, kb_dir=self.data_dir / "kb")
        defaults = channel_defaults(config, settings)
        if self.database_url:
            await upgrade(self.database_url)
        store = SqlStore(self.database_url, defaults) if self.database_url else MemoryStore(defaults)
        app = await bootstrap(
            settings, config=config, store=store, answerer=TinyAnswerer(), kb_languages=frozenset({"en"})
        )
        self.runner = web.AppRunner(build_web_app(app))
        self.runner.app.on_cleanup.append(lambda _: app.close())
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    # Checked before the server starts, so a machine without Chromium skips at once.
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium not installed: run `apt-get install -y chromium` (or .ci/install-chromium.sh) "
            "to enable the browser test"
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    with ServerThread(tmp_path) as running:
        yield running


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


def test_customer_and_agent_play_a_whole_handoff(server: ServerThread, page: Any) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.goto(f"{server.url}/ui")
    customer, agent = page.locator("#customer-pane"), page.locator("#agent-pane")
    expect(customer.get_by_label("Name")).to_have_value("Sam Rivera")
    expect(agent.get_by_label("Agent name")).to_have_value("Alex")

    # The customer asks and sees an answer that cites its source, with the "why" line.
    customer.get_by_label("Your message").fill("How do I reset my password?")
    customer.get_by_role("button", name="Send").click()
    answer = customer.locator("article.msg-bot").first
    expect(answer.get_by_role("link", name="Reset your password")).to_have_attribute(
        "href", "https://kb.example.com/reset"
    )
    expect(answer.locator("details.why summary")).to_have_text("Answered from the knowledge base · confidence 0.92")
    expect(answer.locator(".fd-body strong")).to_have_text("Settings")

    # "Talk to a human" with an optional reason.
    answer.get_by_role("button", name="Talk to a human").click()
    customer.get_by_label("Why? (optional)").select_option("urgent")
    customer.get_by_role("button", name="Connect me to a person").click()
    expect(customer.locator("article.msg-bot details.why summary").last).to_have_text("Handed to a person: The customer asked for a person")

    # The agent sees the handoff with its summary, claims it and replies in their own words.
    ticket = agent.locator("article.ticket").first
    expect(ticket.locator(".ticket-title")).to_have_text("How do I reset my password?")  # the question, not a name
    expect(ticket.locator(".summary")).to_contain_text("Asked: How do I reset my password?")
    expect(ticket.locator(".summary")).to_contain_text("AI answered:")
    expect(ticket).to_contain_text("Organisation: Acme")  # as written, not "acme"
    expect(ticket).to_contain_text("It's urgent")
    ticket.get_by_role("button", name="Claim").click()
    expect(ticket.locator(".badge-claimed")).to_have_text("Claimed by Alex")  # the name, not the id
    ticket.get_by_role("button", name="Reply…").click()
    ticket.get_by_label("Your reply to the customer").fill("I've sent you a reset link <b>now</b>.")
    ticket.get_by_role("button", name="Send reply").click()
    agent_message = customer.locator("article.msg-agent")
    expect(agent_message).to_contain_text("I've sent you a reset link <b>now</b>.")  # shown as text, not markup
    expect(agent_message.locator("b")).to_have_count(0)

    # Resolving asks the customer for CSAT and the agent whether they rewrote the AI's answer.
    ticket.get_by_role("button", name="Resolve").click()
    csat = customer.locator(".fd-csat").last
    expect(csat.get_by_role("button")).to_have_count(5)
    expect(ticket.locator(".question")).to_contain_text("Did you need to rewrite the AI's answer?")
    shot = os.environ.get("FRONTDESK_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=True)
    csat.get_by_role("button", name="Rate 5 out of 5").click()
    expect(customer.locator(".fd-done").last).to_have_text("Thanks — you rated this 5 out of 5.")
    ticket.get_by_role("button", name="No, it was fine").click()
    expect(ticket.locator(".question")).to_have_count(0)
    assert problems == []


def test_pre_approval_draft_and_human_at_any_point(server: ServerThread, page: Any) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{server.url}/ui")
    customer, agent = page.locator("#customer-pane"), page.locator("#agent-pane")

    # The agent switches the playground to pre-approval: the AI's answer waits for an agent.
    mode = agent.get_by_label("Channel mode")
    expect(mode).to_have_value("ai-first")
    mode.select_option("pre-approval")
    expect(mode).to_have_value("pre-approval")
    customer.get_by_label("Your message").fill("How do I reset my password?")
    customer.get_by_label("Your message").press("Enter")
    expect(customer.locator("article.msg-bot details.why summary").last).to_contain_text("Drafted for an agent")
    draft = agent.locator("article.ticket").first
    expect(draft.locator(".badge-draft")).to_have_text("Draft for approval")
    expect(draft.locator(".suggestion code")).to_have_text("Reset password")
    draft.get_by_role("button", name="Approve and send").click()
    expect(customer.get_by_role("link", name="Reset your password")).to_be_visible()

    # "Talk to a human" from the composer, in a new conversation, before the AI said anything.
    customer.get_by_role("button", name="New conversation").click()
    customer.get_by_role("button", name="Talk to a human").click()
    customer.get_by_label("Why? (optional)").select_option("billing")
    customer.get_by_role("button", name="Connect me to a person").click()
    expect(customer.locator("article.msg-bot details.why summary").last).to_have_text("Handed to a person: The customer asked for a person")
    handoff = agent.locator("article.ticket", has_text="Billing or payment")
    expect(handoff.get_by_role("button", name="Claim")).to_be_visible()
    expect(handoff.locator(".ticket-title")).to_have_text("Wants a person: billing or payment")
    assert problems == []


def test_parallel_the_agent_writes_and_picks_then_hands_back(server: ServerThread, page: Any) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{server.url}/ui")
    customer, agent = page.locator("#customer-pane"), page.locator("#agent-pane")
    agent.get_by_label("Channel mode").select_option("parallel")
    customer.get_by_label("Your message").fill("How do I reset my password?")
    customer.get_by_label("Your message").press("Enter")
    card = agent.locator("article.ticket").first
    expect(card.locator("[data-section=\"AI's draft\"]")).to_contain_text("Reset password")
    card.get_by_role("button", name="Write my reply").click()
    card.get_by_label("Your reply to the customer").fill("Use the Forgot password link on the sign-in page.")
    card.get_by_role("button", name="Continue").click()
    expect(card.locator("[data-section=\"Reply by Alex\"]")).to_contain_text("Forgot password link")
    card.get_by_role("button", name="Send my reply").click()
    expect(customer.locator("article.msg-agent").last).to_contain_text("Forgot password link")
    expect(card.locator(".ticket-done")).to_contain_text("Sent their own reply (picked over the AI's draft) — Alex")
    card.get_by_role("button", name="Hand back to AI").click()
    expect(customer.locator("article.msg-bot").last).to_contain_text("Alex has handed this conversation back to me")
    expect(card.locator(".badge-resolved")).to_have_text("Handed back to the AI")
    assert problems == []


def test_a_page_left_open_across_a_server_restart_shows_the_conversation_again(tmp_path: Path, page: Any) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    database = f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
    customer = page.locator("#customer-pane")
    with ServerThread(tmp_path, database_url=database) as first:
        port = first.runner.addresses[0][1]
        page.goto(f"{first.url}/ui")
        customer.get_by_label("Your message").fill("How do I reset my password?")
        customer.get_by_role("button", name="Send").click()
        expect(customer.locator("article.msg-bot details.why summary")).to_have_text("Answered from the knowledge base · confidence 0.92")
        customer.get_by_label("Your message").fill("And how do I reset the password of a teammate?")
        customer.get_by_role("button", name="Send").click()
        expect(customer.locator("article.msg-bot")).to_have_count(2)
        for answer in customer.locator("article.msg-bot").all():
            # Each press re-issues the message under a new sequence number: the page has seen more of them than
            # the restarted server will hand out for the rebuilt log.
            answer.get_by_role("button", name="Helpful", exact=True).click()
        expect(customer.locator("article.msg-bot .fd-done")).to_have_count(2)
    with ServerThread(tmp_path, database_url=database, port=port):
        # The same page, never reloaded: it notices the new server and shows the rebuilt log, in order, once.
        texts = customer.locator("article.msg .msg-head strong")
        expect(texts).to_have_text(["Sam Rivera", "Frontdesk", "Sam Rivera", "Frontdesk"])
        expect(customer.locator("article.msg-bot details.why summary").first).to_have_text(
            "Answered from the knowledge base · confidence 0.92"
        )
        customer.get_by_label("Your message").fill("Thanks, and how do I reset my password on mobile?")
        customer.get_by_role("button", name="Send").click()
        expect(customer.locator("article.msg-bot")).to_have_count(3)
        expect(customer.locator("article.msg")).to_have_count(6)
        expect(customer.locator("article.msg-bot .fd-done")).to_have_count(2)  # pressed before the restart
        expect(customer.locator("article.msg-customer").last).to_have_text(re.compile("on mobile"))
    assert problems == []


@pytest.mark.parametrize("width", [420, 1440])
def test_the_mode_selector_shows_its_whole_label_inside_the_pane(server: ServerThread, page: Any, width: int) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/ui")
    mode = page.get_by_label("Channel mode")
    mode.select_option("pre-approval")
    expect(mode).to_have_value("pre-approval")
    fit = page.evaluate(
        """() => {
          const select = document.querySelector('#mode-select');
          const pane = document.querySelector('#agent-pane').getBoundingClientRect();
          const box = select.getBoundingClientRect();
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = getComputedStyle(select).font;
          const text = ctx.measureText(select.selectedOptions[0].textContent).width;
          return {inside: box.left >= pane.left && box.right <= pane.right, room: select.clientWidth - text,
                  page: document.documentElement.scrollWidth <= window.innerWidth};
        }"""
    )
    assert fit["inside"] and fit["page"], fit
    assert fit["room"] >= 16, fit  # the label plus padding and the arrow, not clipped
