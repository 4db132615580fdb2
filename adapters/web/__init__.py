"""The web playground adapter: a zero-credential page at /ui where one person plays customer and agent.

`mount(web_app, app)` adds the page, its two static files and its JSON API to the shared aiohttp server, and
registers the playground's `WebOutbox` and `WebAgentDesk` with the composition root, so the engine, dispatcher and
desk run exactly as they do for Slack. The page, stylesheet and script are package data: no CDN, no build step.
"""

from __future__ import annotations

import logging
from importlib import resources
from typing import Any

from aiohttp import web

from adapters.web.api import PlaygroundApi
from adapters.web.base import AGENT_NAME_KEY, Host, playground_address
from adapters.web.desk import WebAgentDesk
from adapters.web.http import json_errors
from adapters.web.outbox import WebOutbox
from adapters.web.render import render_reply
from adapters.web.restore import restore_playground
from bot.core.conversation import conversation_key
from bot.core.types import Audience, Citation, Platform

__all__ = ["WebAgentDesk", "WebOutbox", "mount", "render_reply"]

log = logging.getLogger(__name__)

ASSETS = {
    "playground.css": "text/css",
    "playground.js": "application/javascript",
}
# The page only ever loads its own files; a strict policy makes any injected markup inert even if escaping failed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _asset(name: str) -> bytes:
    return resources.files(__name__).joinpath(name).read_bytes()


def _customer_sources(kb: Any) -> dict[str, Citation]:
    """The knowledge base's customer articles as citations (internal ones are never shown to customers)."""
    articles = kb.articles() if kb is not None and callable(getattr(kb, "articles", None)) else ()
    return {a.id: Citation(a.id, a.title, a.url) for a in articles if a.audience is Audience.CUSTOMER}


def mount(web_app: web.Application, app: Host) -> None:
    """Register the playground's routes, outbox and agent desk."""
    outbox = WebOutbox()
    agent_desk = WebAgentDesk()
    app.outboxes[Platform.WEB] = outbox
    app.desks[Platform.WEB] = agent_desk
    api = PlaygroundApi(app, outbox, agent_desk)
    # After a restart, the page shows the conversations the store still holds (not an empty log beside old handoffs).
    prefix = conversation_key(playground_address("-"))[:-1]

    async def restore(_: web.Application) -> None:
        try:
            sources = _customer_sources(getattr(app, "knowledge", None))
            await restore_playground(app.store, outbox, app.phrases, prefix, names_key=AGENT_NAME_KEY, sources=sources)
        except Exception:  # noqa: BLE001 - an old log is a convenience; it must never stop Slack from being served
            log.exception("playground: could not restore conversations from the store; starting with an empty log")

    web_app.on_startup.append(restore)
    page = _asset("playground.html")
    assets = {name: _asset(name) for name in ASSETS}

    async def index(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in assets:
            raise web.HTTPNotFound(text=f"no playground asset {name!r}")
        return web.Response(body=assets[name], content_type=ASSETS[name], charset="utf-8", headers=SECURITY_HEADERS)

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/ui")

    router = web_app.router
    router.add_get("/ui", index)
    router.add_get("/ui/", redirect)
    router.add_get("/ui/static/{name}", asset)
    router.add_get("/ui/api/meta", json_errors(api.meta))
    router.add_get("/ui/api/conversations", json_errors(api.conversations))
    router.add_get("/ui/api/conversations/{thread}/messages", json_errors(api.messages))
    router.add_get("/ui/api/tickets", json_errors(api.tickets))
    router.add_get("/ui/api/mode", json_errors(api.mode))
    router.add_post("/ui/api/mode", json_errors(api.set_mode))
    router.add_post("/ui/api/messages", json_errors(api.post_message))
    router.add_post("/ui/api/actions", json_errors(api.action))
