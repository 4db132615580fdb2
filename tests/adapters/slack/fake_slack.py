"""A local fake of the Slack Web API (and the Socket Mode WebSocket) for driving slack_sdk's real client.

It records every call, checks the bearer token, and answers like Slack: from the OpenAPI response examples in
../shared/fixtures/slack/web_api_responses when present (with the per-call fields - ts, channel, permalink - filled
in), else from a minimal built-in answer set so the core Slack tests still run without ../shared. Tests can queue
failures (a 429 with Retry-After, an error answer) and push Socket Mode envelopes to the connected client.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT.parent / "shared" / "fixtures"
SLACK_FIXTURES = FIXTURES / "slack"
EXAMPLES = SLACK_FIXTURES / "web_api_responses" / "openapi_examples"
TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
OUR_TEAM = "T_OURS"
BOT_USER = "U_FRONTDESK"
BOT_ID = "B_FRONTDESK"

# Used when ../shared is absent: the smallest answers slack_sdk and bolt accept.
BUILTIN: dict[str, dict[str, Any]] = {
    "auth.test": {
        "ok": True,
        "team": "Ours",
        "team_id": "T12345678",
        "url": "https://ours.slack.com/",
        "user": "frontdesk",
        "user_id": "W12345678",
    },
    "chat.postMessage": {
        "ok": True,
        "channel": "C1H9RESGL",
        "ts": "1503435956.000247",
        "message": {"type": "message", "text": ""},
    },
    "chat.update": {"ok": True, "channel": "C024BE91L", "ts": "1401383885.000061", "text": ""},
    "chat.postEphemeral": {"ok": True, "message_ts": "1502210682.580145"},
    "views.open": {"ok": True, "view": {"id": "VMHU10V25", "type": "modal"}},
    "team.info": {"ok": True, "team": {"id": "T12345", "name": "My Team", "domain": "example"}},  # as the example
    "users.info": {
        "ok": True,
        "user": {"id": "W012A3CDE", "team_id": "T012AB3C4", "name": "spengler", "is_admin": False, "is_owner": False},
    },
}


def example(method: str) -> dict[str, Any]:
    path = EXAMPLES / f"{method}.ok.json"
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    copied: dict[str, Any] = json.loads(json.dumps(BUILTIN.get(method, {"ok": True})))
    return copied


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    auth: dict[str, Any] = field(default_factory=lambda: {"team_id": OUR_TEAM, "user_id": BOT_USER, "bot_id": BOT_ID})
    acks: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ack_event: asyncio.Event = field(default_factory=asyncio.Event)
    # Faults by method, consumed in order: see `fault`.
    faults: dict[str, list[str]] = field(default_factory=dict)
    hang: float = 3.0  # how long a "timeout" fault keeps the caller waiting (longer than the client's timeout)
    members: dict[str, list[str]] = field(default_factory=dict)  # channel -> members (default: agent and admin)
    latency: float = 0.0  # up to this many seconds before and after a post is made (widens crash windows)

    # -- test controls --------------------------------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int = 429, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next call of `method` with `status` (default: a 429 with Retry-After: 1)."""
        if status == 429 and headers is None:
            headers = {"Retry-After": "1"}
        payload = body if body is not None else {"ok": False, "error": "ratelimited"}
        self.failures.setdefault(method, []).append((status, payload, headers or {}))

    def fault(self, method: str, *kinds: str) -> None:
        """Answer the next calls of `method` with these faults, in order:
        "500" (JSON ok:false), "html" (a proxy's HTML page, status 502), "empty" (status 503, no body),
        "badjson" (status 200, JSON content type, broken body), "429" (Retry-After: 1), "ok_false" (200, ok:false),
        "timeout" (no answer in time, nothing done), "lost" (the post is made but the answer never arrives),
        or any Slack error code such as "channel_not_found" (200, ok:false, that error).
        `method` may name one channel: "chat.postMessage@C123" fails only posts to C123."""
        self.faults.setdefault(method, []).extend(kinds)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.called("chat.postMessage") if channel is None or a.get("channel") == channel]

    # -- server ---------------------------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in ("blocks", "view", "metadata"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token = request.headers.get("Authorization", "")
        self.calls.append(Call(method, args))
        expected = APP_TOKEN if method == "apps.connections.open" else TOKEN
        if token != f"Bearer {expected}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        queued = self.failures.get(method)
        if queued:
            status, body, headers = queued.pop(0)
            return web.json_response(body, status=status, headers=headers)
        faults = self.faults.get(method) or self.faults.get(f"{method}@{args.get('channel')}")
        if faults:
            return await self._fault(faults.pop(0), method, args)
        if self.latency and method == "chat.postMessage":
            call = self.calls.pop()
            await asyncio.sleep(random.uniform(0, self.latency))
            self.calls.append(call)
            answer = self._answer(method, args)
            await asyncio.sleep(random.uniform(0, self.latency))
            return web.json_response(answer)
        return web.json_response(self._answer(method, args))

    async def _fault(self, kind: str, method: str, args: dict[str, Any]) -> web.Response:
        self.calls[-1] = Call(f"{method}!{kind}", args)  # a failed call: not counted as done
        if kind == "500":
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if kind == "html":
            return web.Response(status=502, text="<html><body>Bad Gateway</body></html>", content_type="text/html")
        if kind == "empty":
            return web.Response(status=503)
        if kind == "badjson":
            return web.Response(status=200, text='{"ok": tru', content_type="application/json")
        if kind == "429":
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        if kind == "ok_false":
            return web.json_response({"ok": False, "error": "fatal_error"})
        if kind == "timeout":
            await asyncio.sleep(self.hang)
            return web.json_response({"ok": False, "error": "too_late"})
        if kind == "lost":
            self.calls[-1] = Call(method, args)  # done on Slack's side ...
            answer = self._answer(method, args)
            await asyncio.sleep(self.hang)  # ... but the answer never reaches the caller in time
            return web.json_response(answer)
        return web.json_response({"ok": False, "error": kind})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://").replace("/api/", "/link")}
        if method == "chat.getPermalink":
            channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://ours.slack.com/archives/{channel}/p{ts.replace('.', '')}",
            }
        data = example(method)
        if method == "auth.test":
            data.update(self.auth)
        elif method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            data.update(channel=args.get("channel"), ts=ts)
            args["_ts"] = ts  # lets tests click buttons on the message they saw posted
            data["message"] = {
                "type": "message",
                "text": args.get("text", ""),
                "ts": ts,
                "bot_id": BOT_ID,
                "user": BOT_USER,
            }
        elif method == "conversations.members":
            members = self.members.get(str(args.get("channel")), ["U_AGENT", "U_ADMIN", "U_OTHER_AGENT"])
            data = {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
        elif method in ("conversations.history", "conversations.replies"):
            data = {"ok": True, "has_more": False, "messages": self._history(args)}
        elif method == "chat.update":
            data.update(channel=args.get("channel"), ts=args.get("ts"), text=args.get("text", ""))
        elif method == "users.info":
            user = dict(data.get("user") or {})
            user.update(
                self.users.get(str(args.get("user")), {"id": args.get("user"), "is_admin": False, "is_owner": False})
            )
            data["user"] = user
        return data

    def _history(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Posted messages of a channel (or of one thread), newest first, with their metadata like Slack's."""
        channel, thread = args.get("channel"), args.get("ts")
        found = []
        for posted in reversed(self.posts(str(channel))):
            if thread and posted.get("thread_ts") != thread and posted.get("_ts") != thread:
                continue
            message: dict[str, Any] = {"type": "message", "ts": posted.get("_ts"), "text": posted.get("text", "")}
            if posted.get("metadata") and str(args.get("include_all_metadata")).lower() in ("true", "1"):
                message["metadata"] = posted["metadata"]
            found.append(message)
        return found

    # -- Socket Mode ----------------------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = SLACK_FIXTURES / "socket_mode" / "hello_message.json"
        await ws.send_str(hello.read_text() if hello.is_file() else '{"type":"hello","num_connections":1}')
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
                self._ack_event.set()
        self._sockets.remove(ws)
        return ws

    async def connected(self, timeout: float = 10.0) -> None:
        async def wait() -> None:
            while not self._sockets:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(wait(), timeout)

    async def push(self, envelope: str) -> None:
        await self.connected()
        await self._sockets[-1].send_str(envelope)

    async def ack_for(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        async def wait() -> dict[str, Any]:
            while True:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                self._ack_event.clear()
                await self._ack_event.wait()

        return await asyncio.wait_for(wait(), timeout)
