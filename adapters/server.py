"""One aiohttp server for every adapter: /healthz, the playground (/ui), the leads' dashboard (/dashboard), Slack,
Teams.

Each adapter package exposes `mount(web_app, app)`, which adds its routes and registers its `Outbox` / `AgentDesk`
with the composition root's `App`; this module only decides which adapters are switched on by configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
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


async def maintain(app: App, interval: float) -> None:
    """Background upkeep of one replica: load a newer knowledge-base index written by another replica or `kb ingest`."""
    while True:
        await asyncio.sleep(interval)
        try:
            kb = app.knowledge
            if kb is not None and await asyncio.to_thread(kb.reload_if_changed):
                log.info("knowledge base reloaded at version %s", kb.version)
        except Exception:
            log.exception("maintenance pass failed; retrying in %.0f s", interval)


@dataclass(frozen=True, slots=True)
class PipelineTiming:
    """How often this replica's workers look for work (seconds)."""

    outbox_interval: float = 1.0  # due outbox items (retries, items of a process that died)
    sweep_interval: float = 5.0  # inbox events accepted but never decided
    inbox_grace: float = 30.0  # an event younger than this may still be in flight in the process that accepted it


async def run_pipeline(app: App, timing: PipelineTiming) -> None:
    """The outbox worker and the inbox sweep of one replica; any replica may pick up any due work."""
    loop = asyncio.get_running_loop()
    next_sweep = loop.time()  # at start: whatever a previous process left pending
    while True:
        try:
            if loop.time() >= next_sweep:
                next_sweep = loop.time() + timing.sweep_interval
                swept = await app.dispatcher.sweep_inbox(timedelta(seconds=timing.inbox_grace))
                if swept:
                    log.info("decided %d event(s) left pending", swept)
            while await app.dispatcher.outbox.run_once() > 0:
                pass
        except Exception as exc:  # noqa: BLE001 - the database may be down: keep trying
            log.warning("pipeline pass failed; retrying in %.1f s: %s", timing.outbox_interval, exc)
        await asyncio.sleep(timing.outbox_interval)


def background(name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(work(), name=name)
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


PLAYGROUND_OFF = (
    "playground: off, because Slack or Teams credentials are set and anyone reaching this port could read and write "
    "its conversations; set FRONTDESK_PLAYGROUND_TOKEN to serve it behind that token"
)


def mount_playground(web_app: web.Application, app: App) -> None:
    """The playground is for trying Frontdesk without credentials. Once real customers can reach the server it is
    off, unless a token is set, which every /ui request must then carry (like the dashboard's)."""
    from adapters import web as playground

    token = app.settings.playground_token
    if app.settings.platform_configured and token is None:
        log.warning(PLAYGROUND_OFF)
        return
    playground.mount(web_app, app)
    if token is not None:
        from adapters.web.dashboard.access import has_token

        secret = token.get_secret_value()

        @web.middleware
        async def gate(request: web.Request, handler: Any) -> web.StreamResponse:
            if (request.path == "/ui" or request.path.startswith("/ui/")) and not has_token(request, secret):
                return web.Response(
                    status=401,
                    text="Sign in with the playground token (FRONTDESK_PLAYGROUND_TOKEN) as the password.",
                    headers={"WWW-Authenticate": 'Basic realm="Frontdesk playground"', "Cache-Control": "no-store"},
                )
            response: web.StreamResponse = await handler(request)
            return response

        web_app.middlewares.append(gate)


def is_loopback(host: str) -> bool:
    """A host name or address that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def open_dashboard_listener(runner: web.AppRunner, web_app: web.Application, port: int) -> str:
    """Without a dashboard token, when the main listener may not serve the dashboard: a listener of its own on
    127.0.0.1 (never a wider address), so no proxy in front of the main port reaches it. Its URL, or "" when none
    is needed or the port is taken (then said in the log; the rest of the server runs on)."""
    from adapters.web.dashboard.access import LISTENERS

    listeners = web_app.get(LISTENERS)
    if listeners is None or listeners.shared:
        return ""
    before = {address[1] for address in runner.addresses if isinstance(address, tuple)}
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    except OSError as exc:
        log.warning("leads' dashboard: off, 127.0.0.1:%d cannot be opened (%s); set [server] dashboard_port to a "
                    "free port, or FRONTDESK_DASHBOARD_TOKEN to serve it on the main port", port, exc.strerror or exc)
        return ""
    opened = {address[1] for address in runner.addresses if isinstance(address, tuple)} - before
    listeners.ports.update(opened or {port})
    return listeners.url()


def build_web_app(
    app: App,
    *,
    maintenance_interval: float = 30.0,
    pipeline: PipelineTiming | None = PipelineTiming(),
    listen_host: str | None = None,
) -> web.Application:
    """The aiohttp application with every configured adapter mounted (`listen_host`: where `serve` binds it, when
    not the configured host)."""
    web_app = web.Application(client_max_size=2 * 1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    from adapters import health

    health.mount(web_app, app)
    if app.config.server.playground:
        mount_playground(web_app, app)
    if app.config.server.dashboard:
        from adapters.web import dashboard
        from adapters.web.dashboard.access import LISTENERS, Listeners

        token = app.settings.dashboard_token
        dashboard.mount(web_app, app, token.get_secret_value() if token else None)
        if token is None:  # this machine only: which listeners count as "this machine" (dashboard/access.py)
            host = listen_host or app.config.server.host
            web_app[LISTENERS] = Listeners(shared=is_loopback(host) and not app.settings.platform_configured)
    if app.settings.slack_bot_token is not None or app.settings.slack_app_token is not None:
        from adapters import slack

        slack.mount(web_app, app)
    if app.settings.teams_app_id or app.settings.teams_tenant_id:
        from adapters import teams

        teams.mount(web_app, app)
    if maintenance_interval > 0:
        web_app.cleanup_ctx.append(background("frontdesk-maintenance", lambda: maintain(app, maintenance_interval)))
    if pipeline is not None:
        timing = pipeline
        web_app.cleanup_ctx.append(background("frontdesk-pipeline", lambda: run_pipeline(app, timing)))
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
