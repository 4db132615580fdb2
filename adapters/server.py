"""One aiohttp server for every adapter: /healthz, the playground (/ui), the leads' dashboard (/dashboard), Slack,
Teams.

Each adapter package exposes `mount(web_app, app)`, which adds its routes and registers its `Outbox` / `AgentDesk`
with the composition root's `App`; this module only decides which adapters are switched on by configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.bootstrap import App

log = logging.getLogger(__name__)

APP_KEY: web.AppKey[App] = web.AppKey("frontdesk", App)
SCHEDULER_KEY: web.AppKey[Any] = web.AppKey("frontdesk.scheduler")  # a scheduler.runner.SchedulerRunner


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    kb = app.knowledge
    version = getattr(kb, "version", "") if kb is not None else ""
    return web.json_response({"status": "ok", "kb_version": version})


REDELIVERY_GRACE = timedelta(seconds=60)  # longer than a delivery can take, Slack's rate-limit waits included


async def maintain(app: App, interval: float) -> None:
    """Background upkeep of one replica: resend replies decided but never confirmed sent (the process or the
    platform failed in between), and load a newer knowledge-base index written by another replica or `kb ingest`."""
    while True:
        await asyncio.sleep(interval)
        try:
            resent = await app.dispatcher.redeliver_pending(REDELIVERY_GRACE)
            if resent:
                log.info("redelivered %d pending replies", resent)
            kb = app.knowledge
            if kb is not None and await asyncio.to_thread(kb.reload_if_changed):
                log.info("knowledge base reloaded at version %s", kb.version)
        except Exception:
            log.exception("maintenance pass failed; retrying in %.0f s", interval)


def maintenance_context(app: App, interval: float) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(maintain(app, interval), name="frontdesk-maintenance")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


def scheduler_context(runner: Any) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run the scheduled jobs (digest, QA sample) while the server runs; only one replica leads at a time."""

    async def context(_: web.Application) -> AsyncIterator[None]:
        await runner.start()
        yield
        await runner.stop()

    return context


def build_web_app(app: App, *, maintenance_interval: float = 30.0) -> web.Application:
    """The aiohttp application with every configured adapter mounted."""
    web_app = web.Application(client_max_size=2 * 1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    if app.config.server.playground:
        from adapters import web as playground

        playground.mount(web_app, app)
    if app.config.server.dashboard:
        from adapters.web import dashboard

        token = app.settings.dashboard_token
        dashboard.mount(web_app, app, token.get_secret_value() if token else None)
    if app.settings.slack_bot_token is not None or app.settings.slack_app_token is not None:
        from adapters import slack

        slack.mount(web_app, app)
    if app.settings.teams_app_id or app.settings.teams_tenant_id:
        from adapters import teams

        teams.mount(web_app, app)
    if maintenance_interval > 0:
        web_app.cleanup_ctx.append(maintenance_context(app, maintenance_interval))
    if app.settings.webhook_token is not None:
        from scheduler import webhook

        webhook.mount(web_app, app, app.settings.webhook_token.get_secret_value())
    if app.config.scheduler.enabled:
        from scheduler.context import JobContext
        from scheduler.runner import SchedulerRunner

        runner = SchedulerRunner(JobContext.of(app, app.dispatcher.clock), app.settings.resolved_database_url)
        web_app[SCHEDULER_KEY] = runner
        web_app.cleanup_ctx.append(scheduler_context(runner))
    web_app.on_cleanup.append(lambda _: app.close())
    return web_app
