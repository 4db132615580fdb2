"""The leads' dashboard in headless Chromium: the real server on a loopback port, a week of history driven through
the engine; the page renders its headline and the server-drawn SVG chart, and loads nothing from elsewhere.
Set FRONTDESK_SCREENSHOT_DASHBOARD=<path> to keep a screenshot."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.server import build_web_app
from tests.browser.test_playground import _needs_chromium, page  # noqa: F401 - fixtures: skip without Chromium
from tests.history import History, fill_week, open_history

pytestmark = pytest.mark.browser


@contextmanager
def serve_history(tmp_path: Path, fill: Callable[[History], Awaitable[None]] = fill_week) -> Iterator[str]:
    """The real server on a loopback port, on its own event loop, over a history `fill` drove through the engine."""
    from aiohttp import web

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="dashboard-server", daemon=True)
    thread.start()
    state: dict[str, Any] = {}

    async def start() -> str:
        h, _ = await open_history(tmp_path)
        await fill(h)
        runner = web.AppRunner(build_web_app(h.app, maintenance_interval=0))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        state["runner"] = runner
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    try:
        yield asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=60)
    finally:
        if "runner" in state:
            asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    with serve_history(tmp_path) as url:
        yield url


def test_the_dashboard_renders_with_its_chart(dashboard_url: str, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    problems: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(dashboard_url) or r.url.startswith("data:") else outside.append(r.url))
    page.goto(f"{dashboard_url}/dashboard")
    card = page.locator(".card").filter(has_text="AI resolution rate")
    expect(card.locator(".card-value")).to_contain_text("14%")
    expect(card.locator(".delta")).to_have_text("-36 pts")
    chart = page.get_by_role("img", name="Weekly trend, last 8 weeks")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300  # laid out, not collapsed
    expect(chart.locator("polyline")).not_to_have_count(0)
    expect(page.get_by_role("heading", name="Knowledge gaps")).to_be_visible()
    page.get_by_label("Team").select_option("billing")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".card").first.locator(".card-value")).to_have_text("2")
    assert "team=billing" in page.url
    shot = os.environ.get("FRONTDESK_SCREENSHOT_DASHBOARD")
    if shot:
        page.goto(f"{dashboard_url}/dashboard")
        page.screenshot(path=shot, full_page=True)
    assert problems == [] and outside == []
