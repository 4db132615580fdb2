"""`/healthz` (liveness), `/readyz` (readiness) and `/metrics` (Prometheus, prometheus-client).

- `/healthz`: the process answers (and which knowledge-base version it serves). Never touches the database, so a
  database outage does not get a healthy process restarted.
- `/readyz`: 200 only when the database answers, every platform probe (`App.probes`, e.g. Slack's auth.test)
  passes and the oldest undelivered outbox item is younger than `MAX_LAG`; the JSON says which check failed, with
  the outbox depth, age and failed items, so "answered 200 while losing messages" cannot happen silently.
- `/metrics`: counters and histograms for the message path, read at scrape time from the dispatcher's and the
  outbox worker's own counters; one registry per server (tests run many).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.bootstrap import App
from bot.orchestration.delivery import describe

MAX_LAG = 600.0  # seconds: an outbox item older than this means delivery is stuck (the platform refuses it)
CHECK_TIMEOUT = 3.0
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
ACKED_PATHS = ("/slack/events", "/api/messages")  # platform webhooks: their answer time is the ack latency


class PipelineCollector(Collector):
    """Counters and gauges of the message path, read from the live objects when Prometheus scrapes."""

    def __init__(self, app: App, outbox: dict[str, float]) -> None:
        self.app = app
        self.outbox = outbox  # the latest outbox figures, refreshed by the /metrics handler (the store is async)

    def collect(self) -> Iterator[Any]:
        stats, sent = self.app.dispatcher.stats, self.app.dispatcher.outbox.stats
        yield _counter("frontdesk_events_received", "Platform events accepted into the inbox.", stats.received)
        yield _counter("frontdesk_events_duplicate", "Platform retries of events already accepted.", stats.duplicates)
        yield _counter("frontdesk_decide_errors", "Exceptions while deciding (each became a handoff).", stats.decide_errors)
        yield _counter("frontdesk_store_errors", "Decisions that could not be recorded (retried).", stats.store_errors)
        decisions = CounterMetricFamily("frontdesk_decisions", "Decisions by kind and reason.", labels=["kind", "reason"])
        for (kind, reason), count in sorted(stats.decisions.items()):
            decisions.add_metric([kind, reason], count)
        yield decisions
        delivery = CounterMetricFamily("frontdesk_outbox_deliveries", "Outbox attempts by outcome.", labels=["outcome"])
        for outcome in ("sent", "retried", "failed", "fallbacks", "deduplicated"):
            delivery.add_metric([outcome], getattr(sent, outcome))
        yield delivery
        for name, text in (
            ("pending", "Outbox items not yet sent."),
            ("failed", "Outbox items given up after their retries."),
            ("oldest_seconds", "Age of the oldest unsent outbox item."),
            ("inbox_pending", "Accepted events not yet decided."),
        ):
            yield GaugeMetricFamily(f"frontdesk_outbox_{name}", text, value=self.outbox.get(name, 0.0))


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, text, value=value)


async def outbox_figures(app: App) -> dict[str, float]:
    stats = await asyncio.wait_for(app.store.outbox_stats(), CHECK_TIMEOUT)
    age = (datetime.now(UTC) - stats.oldest).total_seconds() if stats.oldest else 0.0
    return {"pending": stats.pending, "failed": stats.failed, "oldest_seconds": max(0.0, age), "inbox_pending": stats.inbox_pending}


def mount(web_app: web.Application, app: App) -> None:
    registry = CollectorRegistry(auto_describe=True)
    figures: dict[str, float] = {}
    registry.register(PipelineCollector(app, figures))
    reply = Histogram("frontdesk_reply_latency_seconds", "From the customer's message to our reply being sent.",
                      buckets=LATENCY_BUCKETS, registry=registry)
    ack = Histogram("frontdesk_ack_latency_seconds", "Time to answer a platform's event webhook.", ["path"],
                    buckets=LATENCY_BUCKETS, registry=registry)

    @web.middleware
    async def timing(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if request.path not in ACKED_PATHS:
            return await handler(request)
        start = time.perf_counter()
        try:
            return await handler(request)
        finally:
            ack.labels(request.path).observe(time.perf_counter() - start)

    async def metrics(request: web.Request) -> web.Response:
        try:
            figures.update(await outbox_figures(app))
        except Exception:  # noqa: BLE001 - the counters are still worth serving when the database is down
            figures.clear()
        seconds = app.dispatcher.stats.reply_seconds
        while seconds:
            reply.observe(seconds.pop())
        return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def readyz(request: web.Request) -> web.Response:
        checks: dict[str, Any] = {}
        ready = True
        try:
            outbox = await outbox_figures(app)
            checks["database"] = "ok"
            checks["outbox"] = outbox
            if outbox["oldest_seconds"] > MAX_LAG:
                ready = False
                checks["outbox_lag"] = f"the oldest unsent item is {outbox['oldest_seconds']:.0f} s old"
        except Exception as exc:  # noqa: BLE001 - not ready, and say why
            ready = False
            checks["database"] = f"unreachable: {describe(exc)}"
        for name, probe in sorted(app.probes.items()):
            try:
                ok = await asyncio.wait_for(probe(), CHECK_TIMEOUT)
            except Exception as exc:  # noqa: BLE001
                ok, checks[name] = False, f"unreachable: {describe(exc)}"
            else:
                checks[name] = "ok" if ok else "unreachable"
            ready = ready and ok
        return web.json_response({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)

    web_app.middlewares.append(timing)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics)
