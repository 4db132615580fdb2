"""Throughput and latency through the real HTTP path: signed Slack events into `POST /slack/events`, the real
engine on the bundled example knowledge base, replies out through slack_sdk to a local fake Slack Web API.

Prints: ack latency (what Slack waits for, p50/p99), end-to-end latency (event sent → reply posted, p50/p99),
messages per second end to end, and how many replies arrived (none may be lost).

    .venv/bin/python -m bench.http_path [--messages 300] [--concurrency 8] [--store memory|sqlite] [--paced]

Without --paced, messages arrive faster than one process answers them, so end-to-end latency includes the queue;
--paced sends the next message only after the previous reply arrived (the latency of one message on an idle server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from bot.bootstrap import bootstrap, channel_defaults, open_store
from bot.settings import Config, Settings, load_config
from bot.store.memory import MemoryStore
from tests.adapters.slack.conftest import AGENTS, SECRET, message_event, sign
from tests.adapters.slack.fake_slack import TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How do I reset my password?",
    "where can I download last month's invoice",
    "how do retries work when our endpoint is down",
    "can we use SAML SSO on the growth plan",
    "what's the rate limit per api key",
    "how do I rotate the webhook signing secret",
]


class TimedFakeSlack(FakeSlack):
    """The tests' fake Slack Web API, noting when each threaded reply arrives."""

    arrived: dict[str, float]

    async def _api(self, request: web.Request) -> web.Response:
        response = await super()._api(request)
        call = self.calls[-1]
        if call.method == "chat.postMessage" and call.args.get("thread_ts"):
            self.arrived.setdefault(str(call.args["thread_ts"]), time.perf_counter())
        return response


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(messages: int, concurrency: int, store_kind: str, paced: bool = False) -> dict[str, Any]:
    fake = TimedFakeSlack()
    fake.arrived = {}
    await fake.start()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            kb_dir=ROOT / "examples" / "kb",
            data_dir=Path(data_dir),
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.url,
            agents_channel=AGENTS,
            database_url="",
        )
        base = load_config(ROOT / "examples" / "frontdesk.toml")
        config: Config = base.model_copy(
            update={
                "routing": base.routing.model_copy(update={"approval_days": 0}),
                "server": base.server.model_copy(update={"playground": False}),
            }
        )
        store = (
            MemoryStore(channel_defaults(config, settings))
            if store_kind == "memory"
            else await open_store(settings, config)
        )
        app = await bootstrap(settings, config=config, store=store)
        client = TestClient(TestServer(build_web_app(app, maintenance_interval=0)))
        await client.start_server()
        acks: list[float] = []
        sent_at: dict[str, float] = {}
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            envelope = message_event(QUESTIONS[i % len(QUESTIONS)])
            body = json.dumps(envelope)
            async with gate:
                start = time.perf_counter()
                sent_at[envelope["event"]["ts"]] = start
                response = await client.post(
                    "/slack/events", data=body, headers={"Content-Type": "application/json", **sign(body)}
                )
                await response.read()
                acks.append(time.perf_counter() - start)
                while paced and envelope["event"]["ts"] not in fake.arrived:
                    await asyncio.sleep(0.001)

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(messages)))
        deadline = time.perf_counter() + 120
        while len(fake.arrived) < messages and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - began
        ends = [fake.arrived[ts] - start for ts, start in sent_at.items() if ts in fake.arrived]
        await client.close()
        await fake.stop()
    return {
        "messages": messages,
        "concurrency": concurrency,
        "store": store_kind,
        "paced": paced,
        "answered_threads": len(ends),  # every message must get its reply in its thread: none lost
        "ack_p50_ms": 1000 * statistics.median(acks),
        "ack_p99_ms": 1000 * percentile(acks, 0.99),
        "end_to_end_p50_ms": 1000 * statistics.median(ends) if ends else float("nan"),
        "end_to_end_p99_ms": 1000 * percentile(ends, 0.99) if ends else float("nan"),
        "messages_per_second": messages / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--store", choices=("memory", "sqlite"), default="sqlite")
    parser.add_argument("--paced", action="store_true", help="wait for each reply before sending the next (latency)")
    args = parser.parse_args()
    result = asyncio.run(run(args.messages, 1 if args.paced else args.concurrency, args.store, args.paced))
    for key, value in result.items():
        print(f"{key:>22}: {value:.1f}" if isinstance(value, float) else f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
