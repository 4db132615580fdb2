"""Message-path throughput under a burst, beside a bare slack-bolt echo app, in the same run on the same machine.

A fake Slack Web API on loopback (tests/adapters/slack/fake_slack.py) receives the replies; a load generator sends
`--events` signed Slack Connect message events with `--inflight` requests in flight to server processes:

- `bolt`: a bare slack-bolt AsyncApp that echoes every message into its thread (the ceiling for one process);
- `sqlite`: one Frontdesk process (tests/faults/server.py: the real server, inbox, outbox, SQLite file) with the
  small fake answerer, so the figure is the message path's own cost, not retrieval's (see RESULTS for the engine);
- `pg1` / `pg2`: one and two Frontdesk processes on one PostgreSQL (a private initdb cluster), events spread over
  both.

For each: replies per second (first send to last reply), reply latency (event sent -> reply posted: the first reply
of the burst, p50, p99), lost (no reply) and duplicated (more than one) messages, and the machine's load average
before and after (the machine is shared: compare variants within one run).

    .venv/bin/python -m bench.pipeline_throughput [--events 500] [--inflight 50] [--only bolt,sqlite,pg1,pg2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.adapters.slack.conftest import SECRET, message_event, sign
from tests.adapters.slack.fake_slack import TOKEN, FakeSlack
from tests.faults.harness import ROOT, Server
from tests.faults.postgres import Cluster


@dataclass
class TimedSlack(FakeSlack):
    """The fake Web API, noting when each reply arrived (by the thread it answers)."""

    replies: dict[str, list[float]] = field(default_factory=dict)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage" and args.get("thread_ts"):
            self.replies.setdefault(str(args["thread_ts"]), []).append(time.perf_counter())
        return super()._answer(method, args)


# -- the bare bolt echo app ---------------------------------------------------------------------------------------


async def serve_bolt(port: int, slack_api: str) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=slack_api), signing_secret=SECRET)

    @bolt.event("message")
    async def echo(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text=event.get("text") or ".")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


class BoltServer(Server):
    async def start(self, timeout: float = 60.0) -> None:
        command = [sys.executable, "-m", "bench.pipeline_throughput", "--serve-bolt", str(self.port), "--slack-api", self.slack_api]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), timeout)
        assert line.strip() == "ready", line


# -- the load -----------------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    events: int
    seconds: float
    latencies: list[float]
    lost: int
    duplicated: int
    statuses: Counter[int]
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average before and after the burst

    def line(self) -> str:
        p50 = statistics.median(self.latencies) if self.latencies else float("nan")
        p99 = statistics.quantiles(self.latencies, n=100)[98] if len(self.latencies) > 2 else float("nan")
        first = min(self.latencies) if self.latencies else float("nan")
        return (
            f"{self.name:8s} {self.events / self.seconds:7.1f} replies/s   reply latency first {first * 1000:5.0f} ms "
            f"p50 {p50 * 1000:7.0f} ms p99 {p99 * 1000:7.0f} ms   lost {self.lost}  duplicated {self.duplicated}   "
            f"HTTP {dict(self.statuses)}   load {self.load[0]:.1f} -> {self.load[1]:.1f}"
        )


async def burst(name: str, fake: TimedSlack, urls: list[str], events: int, inflight: int) -> Result:
    fake.replies.clear()
    load_before = os.getloadavg()[0]
    gate = asyncio.Semaphore(inflight)
    sent: dict[str, float] = {}
    statuses: Counter[int] = Counter()
    texts = ("How do I reset my password?", "where is my invoice", "can I talk to a human please")

    async def one(http: aiohttp.ClientSession, n: int) -> None:
        envelope = message_event(f"{texts[n % len(texts)]} #{n}")
        body = json.dumps(envelope)
        async with gate:
            sent[envelope["event"]["ts"]] = time.perf_counter()
            headers = {"Content-Type": "application/json", **sign(body)}
            async with http.post(f"{urls[n % len(urls)]}/slack/events", data=body, headers=headers) as response:
                statuses[response.status] += 1
                await response.read()

    start = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        await asyncio.gather(*(one(http, n) for n in range(events)))
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline and sum(1 for ts in sent if fake.replies.get(ts)) < events:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # a late duplicate would show
    firsts = [fake.replies[ts][0] for ts in sent if fake.replies.get(ts)]
    end = max(firsts) if firsts else time.perf_counter()
    latencies = [fake.replies[ts][0] - at for ts, at in sent.items() if fake.replies.get(ts)]
    lost = sum(1 for ts in sent if not fake.replies.get(ts))
    duplicated = sum(1 for ts in sent if len(fake.replies.get(ts, [])) > 1)
    return Result(name, events, end - start, latencies, lost, duplicated, statuses, (load_before, os.getloadavg()[0]))


async def run(events: int, inflight: int, only: set[str]) -> list[Result]:
    fake = TimedSlack()
    await fake.start()
    results: list[Result] = []
    work = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    try:
        if "bolt" in only:
            bolt = BoltServer("", fake.url, work)
            await bolt.start()
            try:
                results.append(await burst("bolt", fake, [bolt.url], events, inflight))
            finally:
                bolt.stop()
        if "sqlite" in only:
            server = Server(f"sqlite+aiosqlite:///{work / 'bench.db'}", fake.url, work)
            await server.start()
            try:
                results.append(await burst("sqlite", fake, [server.url], events, inflight))
            finally:
                server.stop()
        if only & {"pg1", "pg2"}:
            cluster = Cluster.create()
            cluster.start()
            try:
                for name, count in (("pg1", 1), ("pg2", 2)):
                    if name not in only:
                        continue
                    servers = [Server(cluster.url, fake.url, work) for _ in range(count)]
                    for server in servers:  # one at a time: both run the migrations at start
                        await server.start()
                    try:
                        results.append(await burst(name, fake, [s.url for s in servers], events, inflight))
                    finally:
                        for server in servers:
                            server.stop()
            finally:
                cluster.destroy()
    finally:
        await fake.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--inflight", type=int, default=50)
    parser.add_argument("--only", default="bolt,sqlite,pg1,pg2")
    parser.add_argument("--serve-bolt", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--slack-api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bolt:
        asyncio.run(serve_bolt(args.serve_bolt, args.slack_api))
        return
    results = asyncio.run(run(args.events, args.inflight, set(args.only.split(","))))
    for result in results:
        print(result.line())
    by = {r.name: r.events / r.seconds for r in results}
    if "bolt" in by and "sqlite" in by:
        print(f"sqlite / bolt: {by['sqlite'] / by['bolt']:.2f}x")
    if "pg1" in by and "pg2" in by:
        print(f"pg2 / pg1: {by['pg2'] / by['pg1']:.2f}x")


if __name__ == "__main__":
    main()
