"""Drives Frontdesk server processes like Slack does: signed events over HTTP, retried (with X-Slack-Retry-Num)
when not acknowledged with a 200, and counts what the fake Web API received per customer message."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.adapters.slack.conftest import AGENTS, BILLING, SHARED, message_event, sign
from tests.adapters.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
SLACK_RETRIES = (3.0, 15.0, 40.0)  # Slack retries 3 times (after about 1 min, 5 min, 30 min); scaled down, but
# still longer than a server restart on a busy 2-core machine (imports alone can take 10 s there)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """One `tests.faults.server` process."""

    database: str
    slack_api: str
    data: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    extra: tuple[str, ...] = ()  # more arguments for tests.faults.server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> None:
        command = [sys.executable, "-m", "tests.faults.server", "--port", str(self.port), "--database", self.database]
        command += ["--slack-api", self.slack_api, "--data", str(self.data), *self.extra]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), timeout)
        assert line.strip() == "ready", f"server did not start: {line!r}"

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no cleanup, no drain
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass
class SlackSender:
    """Sends events to whichever server is up; an event not answered 200 is sent again like Slack would."""

    targets: list[str]
    sent: list[dict[str, Any]] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)

    async def send(self, session: aiohttp.ClientSession, envelope: dict[str, Any], retry: int = 0, target: int = 0) -> bool:
        body = json.dumps(envelope)
        headers = {"Content-Type": "application/json", **sign(body)}
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"})
        try:
            async with session.post(f"{self.targets[target % len(self.targets)]}/slack/events", data=body, headers=headers) as response:
                await response.read()
                self.statuses[str(response.status)] += 1
                ok = response.status == 200
        except (TimeoutError, aiohttp.ClientError, OSError):
            self.statuses["no answer"] += 1
            ok = False
        if ok:
            self.acked.add(envelope["event"]["ts"])
        return ok

    async def deliver(self, session: aiohttp.ClientSession, text: str, *, retries: tuple[float, ...] = SLACK_RETRIES) -> None:
        """One customer message, with Slack's retries when it is not acknowledged."""
        envelope = message_event(text)
        self.sent.append(envelope)
        if await self.send(session, envelope):
            return
        for attempt, delay in enumerate(retries, start=1):
            await asyncio.sleep(delay)
            if await self.send(session, envelope, attempt, attempt):
                return


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))


def replies_per_message(fake: FakeSlack, sent: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(p.get("thread_ts") for p in fake.posts(SHARED))
    return {e["event"]["ts"]: counts.get(e["event"]["ts"], 0) for e in sent}


def cards(fake: FakeSlack) -> Counter[str]:
    keys: Counter[str] = Counter()
    for channel in (AGENTS, BILLING):
        for post in fake.posts(channel):
            key = str(((post.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
            keys[key] += 1
    return keys


async def wait_for_replies(fake: FakeSlack, sent: list[dict[str, Any]], timeout: float = 60.0) -> dict[str, int]:
    """Until every message has a reply (bounded), then a little longer so a late duplicate would show."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and 0 in replies_per_message(fake, sent).values():
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)
    return replies_per_message(fake, sent)
