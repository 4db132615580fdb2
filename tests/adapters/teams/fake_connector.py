"""A local Bot Connector on loopback: the REST calls botbuilder's ConnectorClient makes to a Teams serviceUrl
(POST /v3/conversations/{id}/activities[/{replyToId}], PUT /v3/conversations/{id}/activities/{activityId}),
recorded for assertions. `fail_next` makes the next call answer with a given status and raw body (JSON, HTML or
empty), as Teams' edge does on errors.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    conversation: str
    activity_id: str  # replyToId for POST …/{replyToId}, the updated activity for PUT
    body: dict[str, Any]
    authorization: str = ""
    new_id: str = ""

    @property
    def card(self) -> dict[str, Any]:
        attachments = self.body.get("attachments") or []
        return dict(attachments[0]["content"]) if attachments else {}

    @property
    def text(self) -> str:
        return json.dumps(self.card) + " " + str(self.body.get("text") or "") + " " + str(self.body.get("summary") or "")


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # (status, content type, body)
    server: TestServer | None = None
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    def fail_next(self, status: int, body: str, content_type: str = "application/json") -> None:
        self.failures.append((status, content_type, body))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self.post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self.post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self.put)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()

    def _failure(self) -> web.Response | None:
        if not self.failures:
            return None
        status, content_type, body = self.failures.pop(0)
        return web.Response(status=status, body=body.encode(), content_type=content_type)

    async def _record(self, request: web.Request, method: str) -> Call:
        call = Call(
            method,
            request.match_info["conversation"],
            request.match_info.get("activity", ""),
            await request.json(),
            request.headers.get("Authorization", ""),
        )
        self.calls.append(call)
        return call

    async def post(self, request: web.Request) -> web.Response:
        call = await self._record(request, "POST")
        failed = self._failure()
        if failed is not None:
            call.new_id = "(failed)"
            return failed
        call.new_id = str(next(self.ids))
        return web.json_response({"id": call.new_id}, status=201)

    async def put(self, request: web.Request) -> web.Response:
        call = await self._record(request, "PUT")
        failed = self._failure()
        if failed is not None:
            return failed
        return web.json_response({"id": call.activity_id})

    def posts(self, conversation_prefix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.conversation.startswith(conversation_prefix) and c.new_id != "(failed)"]

    def latest(self, call: Call) -> Call:
        """The card as it is now: its last in-place update (same activity id), or the post itself."""
        for update in reversed(self.updates()):
            if update.activity_id == call.new_id:
                return Call("POST", call.conversation, "", update.body, update.authorization, call.new_id)
        return call

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]
