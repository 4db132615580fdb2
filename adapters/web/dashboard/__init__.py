"""The leads' dashboard (MISSION §7): `/dashboard` (HTML), `/api/dashboard` (the same data as JSON).

`?days=&team=&language=&channel=` choose the period (ending now) and the slice. The numbers come from `data.build`
on records read from the store; the page is rendered on the server with an inline SVG trend chart, and only loads
its own stylesheet. Who may see it: `access.py`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from aiohttp import web

from adapters.web.dashboard.access import refusal
from adapters.web.dashboard.data import BadQuery, Query, build, parse_query
from adapters.web.dashboard.definitions import render_definitions
from adapters.web.dashboard.page import render_error, render_page
from bot.core.ports import Store
from bot.metrics.compute import MetricsConfig, load_records
from bot.metrics.failures import Clusterer

__all__ = ["mount"]

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # customers' questions: never kept in a shared cache
}


class _Config(Protocol):
    @property
    def metrics(self) -> MetricsConfig: ...

    @property
    def teams(self) -> Mapping[str, Any]: ...


class _Dispatcher(Protocol):
    @property
    def clock(self) -> Callable[[], datetime]: ...


class Host(Protocol):
    """What the dashboard needs from the composition root's `App`."""

    @property
    def config(self) -> _Config: ...

    @property
    def store(self) -> Store: ...

    @property
    def dispatcher(self) -> _Dispatcher: ...

    @property
    def knowledge(self) -> Any: ...  # the KnowledgeBase (titles, embedder for gap clusters), or None


def _grouping(kb: Any) -> tuple[Clusterer | None, str]:
    """Cluster knowledge gaps with the knowledge base's embedder when there is one; else word overlap alone."""
    embeddings = getattr(kb, "embeddings", None)
    if embeddings is None:
        return None, "word overlap"
    from knowledge.cluster import group_similar  # numpy; loaded on the first dashboard request
    from knowledge.embeddings import model_name

    return (lambda texts: group_similar(texts, embeddings)), f"meaning ({model_name(embeddings)} embeddings)"


def _titles(kb: Any) -> dict[str, str]:
    articles = getattr(kb, "articles", None)
    if not callable(articles):
        return {}
    return {str(a.id): str(getattr(a, "title", "") or a.id) for a in articles()}


async def dashboard_data(host: Host, query: Query) -> dict[str, Any]:
    until = host.dispatcher.clock()
    records = await load_records(host.store, until - query.lookback())
    cluster, grouping = _grouping(host.knowledge)
    titles = _titles(host.knowledge)
    board = getattr(host, "demotions", None)  # the server's snapshot: no recount per page view
    demoted = tuple(board.listed()) if board is not None else ()
    # Pure but CPU-bound on a large store (and the embedder runs here): keep the event loop answering customers.
    return await asyncio.to_thread(
        build, records, until, query, host.config.metrics, teams=tuple(host.config.teams),
        title=lambda a: titles.get(a, a), cluster=cluster, clustering=grouping, demoted=demoted,
    )


Handler = Callable[[web.Request], Awaitable[web.Response]]


def mount(web_app: web.Application, host: Host, token: str | None) -> None:
    """Add the dashboard's routes; `token` is FRONTDESK_DASHBOARD_TOKEN (None: this machine only)."""
    css = resources.files(__name__).joinpath("dashboard.css").read_bytes()

    def guarded(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.Response:
            refused = refusal(request, token)
            return refused if refused is not None else await handler(request)

        return wrapped

    async def page(request: web.Request) -> web.Response:
        try:
            query = parse_query(request.query)
        except BadQuery as exc:
            return web.Response(status=400, text=render_error(str(exc)), content_type="text/html", charset="utf-8",
                                headers=SECURITY_HEADERS)
        html = render_page(await dashboard_data(host, query))
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)

    async def api(request: web.Request) -> web.Response:
        try:
            query = parse_query(request.query)
        except BadQuery as exc:
            return web.json_response({"error": str(exc)}, status=400, headers={"Cache-Control": "no-store"})
        return web.json_response(await dashboard_data(host, query), headers={"Cache-Control": "no-store"})

    async def definitions(request: web.Request) -> web.Response:
        return web.Response(text=render_definitions(), content_type="text/html", charset="utf-8",
                            headers=SECURITY_HEADERS)

    async def stylesheet(request: web.Request) -> web.Response:
        return web.Response(body=css, content_type="text/css", charset="utf-8", headers=SECURITY_HEADERS)

    router = web_app.router
    router.add_get("/dashboard", guarded(page))
    router.add_get("/api/dashboard", guarded(api))
    router.add_get("/dashboard/metrics", definitions)  # public definitions: no customer data
    router.add_get("/dashboard/static/dashboard.css", stylesheet)
