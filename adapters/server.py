"""One aiohttp server for every adapter: /healthz, the web playground (/ui), Slack (/slack/events), Teams.

Each adapter package exposes `mount(web_app, app)`, which adds its routes and registers its `Outbox` / `AgentDesk`
with the composition root's `App`; this module only decides which adapters are switched on by configuration.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.bootstrap import App

log = logging.getLogger(__name__)

APP_KEY: web.AppKey[App] = web.AppKey("frontdesk", App)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    kb = app.knowledge
    version = getattr(kb, "version", "") if kb is not None else ""
    return web.json_response({"status": "ok", "kb_version": version})


def build_web_app(app: App) -> web.Application:
    """The aiohttp application with every configured adapter mounted."""
    web_app = web.Application(client_max_size=2 * 1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    if app.config.server.playground:
        from adapters import web as playground

        playground.mount(web_app, app)
    if app.settings.slack_bot_token is not None or app.settings.slack_app_token is not None:
        from adapters import slack

        slack.mount(web_app, app)
    web_app.on_cleanup.append(lambda _: app.close())
    return web_app
