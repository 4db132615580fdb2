"""What the conversation lock across replicas costs and buys (issue 18, req. 3), all variants in one run.

Two Frontdesk processes (tests/faults/server.py: the real server, inbox, outbox, fake answerer) on one private
PostgreSQL cluster, replies received by a fake Slack Web API on loopback:

- `burst`: `--events` messages, each its own thread, `--inflight` in flight, spread over both processes: replies/s and
  reply latency with the shared lock and without it (the in-process lock only), i.e. the lock's overhead when no
  two messages share a conversation;
- `thread`: `--thread` messages of ONE thread sent one after the other to alternating processes without waiting for
  replies (each post takes up to 2 x 0.15 s): replies out of the customer's order, and duplicates;
- `hold`: the cost of one lock hold (pool checkout, BEGIN, pg_advisory_xact_lock, ROLLBACK), sequentially.

    .venv/bin/python -m bench.replica_lock [--events 300] [--inflight 50] [--thread 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.pipeline_throughput import TimedSlack, burst
from tests.adapters.slack.conftest import SHARED, message_event, sign
from tests.faults.harness import Server
from tests.faults.postgres import Cluster


async def start(cluster: Cluster, fake: TimedSlack, work: Path, *, locked: bool) -> list[Server]:
    extra = () if locked else ("--no-shared-lock",)
    servers = [Server(cluster.url, fake.url, work, extra=extra) for _ in range(2)]
    for server in servers:
        await server.start()
    return servers


async def one_thread(fake: TimedSlack, servers: list[Server], count: int) -> tuple[int, int, int]:
    """(answered, replies out of order, duplicated) for `count` messages of one thread over both processes."""
    fake.calls.clear()
    first = message_event("How do I reset my password? (0)")
    thread = first["event"]["ts"]
    envelopes = [first] + [message_event(f"where is my invoice ({n})", thread_ts=thread) for n in range(1, count)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        for n, envelope in enumerate(envelopes):
            body = json.dumps(envelope)
            headers = {"Content-Type": "application/json", **sign(body)}
            async with http.post(f"{servers[n % 2].url}/slack/events", data=body, headers=headers) as response:
                assert response.status == 200, response.status
    sent = [f"{SHARED}:{e['event']['ts']}" for e in envelopes]

    def answered() -> list[str]:
        keys = [str(((p.get("metadata") or {}).get("event_payload") or {}).get("key", "")) for p in fake.posts(SHARED)
                if p.get("thread_ts") == thread]
        return [k.removeprefix("slack:").rsplit(":", 1)[0] for k in keys]

    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline and len(answered()) < count:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    order = answered()
    unique = list(dict.fromkeys(order))
    rank = {key: n for n, key in enumerate(sent)}
    out_of_order = sum(1 for a, b in zip(unique, unique[1:], strict=False) if rank[a] > rank[b])
    return len(unique), out_of_order, len(order) - len(unique)


async def holds(url: str, count: int) -> float:
    """Milliseconds per lock hold, sequential, one process."""
    from bot.store.conversation_lock import for_store
    from bot.store.sql import SqlStore

    store = SqlStore(url)
    lock = for_store(store, 4)
    assert lock is not None
    try:
        async with lock.hold("warm-up"):
            pass
        began = time.perf_counter()
        for n in range(count):
            async with lock.hold(f"slack:T:C:{n}"):
                pass
        return (time.perf_counter() - began) * 1000 / count
    finally:
        await lock.close()
        await store.close()


async def run(events: int, inflight: int, thread: int) -> None:
    fake = TimedSlack()
    await fake.start()
    work = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    cluster = Cluster.create()
    cluster.start()
    try:
        from bot.store.migrate import upgrade

        await upgrade(cluster.url)
        print(f"hold      {await holds(cluster.url, 500):.2f} ms per lock hold (sequential, 500 holds)")
        for locked in (True, False):
            name = "locked" if locked else "unlocked"
            servers = await start(cluster, fake, work, locked=locked)
            try:
                fake.latency = 0.0
                result = await burst(f"{name}", fake, [s.url for s in servers], events, inflight)
                p50 = statistics.median(result.latencies) if result.latencies else float("nan")
                print(f"burst     {name:8s} {events / result.seconds:6.1f} replies/s  p50 {p50 * 1000:6.0f} ms  "
                      f"lost {result.lost}  duplicated {result.duplicated}")
                fake.latency = 0.15
                got, disorder, doubled = await one_thread(fake, servers, thread)
                print(f"thread    {name:8s} {got}/{thread} answered, {disorder} out of order, {doubled} duplicated")
            finally:
                for server in servers:
                    server.stop()
    finally:
        cluster.destroy()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--inflight", type=int, default=50)
    parser.add_argument("--thread", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.events, args.inflight, args.thread))


if __name__ == "__main__":
    main()
