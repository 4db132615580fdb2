"""Fuzzing the public endpoints with hypothesis: /slack/events (signed and unsigned), the playground API and the
campaign webhook. Whatever arrives - malformed JSON, wrong content types, deep nesting, odd unicode, NUL bytes, lone
surrogates, bad timestamps, 10 MB bodies - the answer is a clear status below 500 with no traceback, and the log
stays small (never the request body).

The server runs on its own event loop for the whole module, so each hypothesis example is one request.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.server import build_web_app
from bot.bootstrap import bootstrap
from bot.settings import Config, ServerConfig, Settings
from bot.store.memory import MemoryStore
from tests.adapters.slack.conftest import FakeAnswerer, message_event, sign
from tests.adapters.slack.fake_slack import FakeSlack

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain", "text/html", "", "multipart/form-data")
ODD = st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "𝔘𝔫𝔦", "ـــ", "\\", '"', "%", "{{", "</script>"])
ODD_TEXT = st.lists(st.one_of(st.text(max_size=20), ODD), max_size=8).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4),
    max_leaves=20,
)


@dataclass
class Server:
    loop: asyncio.AbstractEventLoop
    client: TestClient[Any, Any]
    log: io.StringIO

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async def go() -> tuple[int, str]:
            response = await self.client.request(method, path, data=body, headers=headers)
            return response.status, await response.text(errors="replace")

        return self.loop.run_until_complete(go())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    loop = asyncio.new_event_loop()
    fake = FakeSlack()
    loop.run_until_complete(fake.start())
    settings_ = Settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        slack_api_url=fake.url,
        agents_channel="C_AGENTS",
        webhook_token="hook-token",
        playground_token="play-token",
        data_dir=tmp_path_factory.mktemp("fuzz"),
    )
    config = Config(server=ServerConfig(playground=True, dashboard=False))

    async def start() -> TestClient[Any, Any]:
        app = await bootstrap(settings_, config=config, store=MemoryStore(), answerer=FakeAnswerer(), kb_languages=frozenset({"en"}))
        client = TestClient(TestServer(build_web_app(app, maintenance_interval=0, pipeline=None)))
        await client.start_server()
        return client

    client = loop.run_until_complete(start())
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    logging.getLogger().addHandler(handler)
    try:
        yield Server(loop, client, captured)
    finally:
        logging.getLogger().removeHandler(handler)
        loop.run_until_complete(client.close())
        loop.run_until_complete(fake.stop())
        loop.close()


def check(status: int, text: str) -> None:
    assert status < 500, text[:300]
    assert "Traceback" not in text and 'File "' not in text


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(body=st.one_of(JSON_VALUES.map(json.dumps), ODD_TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
       content_type=st.sampled_from(CONTENT_TYPES))
def test_signed_garbage_to_slack_events(server: Server, body: str, content_type: str) -> None:
    raw = encode(body)
    headers = {"Content-Type": content_type, **sign(raw.decode("utf-8", "replace"))}
    check(*server.request("POST", "/slack/events", raw, headers))


@FUZZ
@given(field=st.sampled_from(["text", "user", "ts", "thread_ts", "channel", "team", "subtype", "blocks"]), value=JSON_VALUES)
def test_signed_message_events_with_odd_fields(server: Server, field: str, value: Any) -> None:
    envelope = message_event("reset my password")
    envelope["event"][field] = value
    body = json.dumps(envelope)
    status, text = server.request("POST", "/slack/events", encode(body), {"Content-Type": "application/json", **sign(body)})
    check(status, text)


@FUZZ
@given(timestamp=ODD_TEXT, signature=ODD_TEXT, body=ODD_TEXT)
def test_unsigned_or_badly_signed_requests_are_refused_briefly(server: Server, timestamp: str, signature: str, body: str) -> None:
    headers = {"Content-Type": "application/json"}
    for name, value in (("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", signature)):
        if value.isascii() and value.isprintable():  # HTTP headers cannot carry the rest at all
            headers[name] = value
    before = len(server.log.getvalue())
    status, text = server.request("POST", "/slack/events", encode(body), headers)
    check(status, text)
    assert status in (400, 401)
    assert len(server.log.getvalue()) - before < 500  # one short line, never the body


def test_deep_nesting_and_ten_megabytes(server: Server) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    check(*server.request("POST", "/slack/events", deep.encode(), {"Content-Type": "application/json", **sign(deep)}))
    huge = b"x" * (10 * 1024 * 1024)
    before = len(server.log.getvalue())
    for path, headers in (
        ("/slack/events", {"Content-Type": "application/json", **sign("x")}),
        ("/ui/api/messages", {"Content-Type": "application/json", "Authorization": "Bearer play-token"}),
        ("/hooks/campaigns/x", {"Content-Type": "application/json", "Authorization": "Bearer hook-token"}),
    ):
        status, text = server.request("POST", path, huge, headers)
        check(status, text)
        assert status == 413 or (path.startswith("/hooks") and status == 404)  # no such campaign: refused unread
    assert len(server.log.getvalue()) - before < 5_000


@FUZZ
@given(path=st.sampled_from(["/ui/api/messages", "/ui/api/actions", "/ui/api/mode"]),
       body=st.one_of(JSON_VALUES.map(json.dumps), ODD_TEXT), content_type=st.sampled_from(CONTENT_TYPES))
def test_playground_api(server: Server, path: str, body: str, content_type: str) -> None:
    headers = {"Content-Type": content_type, "Authorization": "Bearer play-token"}
    check(*server.request("POST", path, encode(body), headers))


@FUZZ
@given(body=st.one_of(JSON_VALUES.map(json.dumps), ODD_TEXT), name=st.sampled_from(["x", "welcome", "%00", "a" * 300]))
def test_campaign_webhook(server: Server, body: str, name: str) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer hook-token"}
    check(*server.request("POST", f"/hooks/campaigns/{name}", encode(body), headers))
