"""Harness: the real server (`adapters.server.build_web_app`) with Slack mounted, slack_sdk pointed at `FakeSlack`.

Requests are signed like Slack signs them and sent to `POST /slack/events`; payloads follow the real shapes in
../shared/fixtures/slack (Slack Connect envelopes: outer team = the customer's org, authorizations = ours).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from adapters.slack import SLACK_KEY, SlackRuntime
from bot.bootstrap import App, bootstrap, channel_defaults
from bot.core.ports import Store, Writer
from bot.core.types import Answer, ArticleHit, Citation, Question
from bot.settings import Config, ServerConfig, Settings, SlackConfig
from bot.store.memory import MemoryStore
from policies.config import RoutingConfig, TeamConfig
from tests.adapters.slack.fake_slack import OUR_TEAM, TOKEN, FakeSlack

SECRET = "test-signing-secret"
CUSTOMER, CUSTOMER_TEAM = "U_CUST", "T_CUSTOMER"
AGENT, ADMIN = "U_AGENT", "U_ADMIN"
SHARED, AGENTS, BILLING = "C_SHARED", "C_AGENTS", "C_BILLING"
_ts = itertools.count(1)


def next_ts() -> str:
    """A fresh Slack ts near now (message ids and received_at come from it)."""
    return f"{int(time.time())}.{next(_ts):06d}"


class FakeAnswerer:
    """Knows two articles; anything else is outside the knowledge base (irrelevant, low confidence)."""

    async def answer(self, question: Question) -> Answer:
        text = question.text.lower()
        if "password" in text:
            hit = ArticleHit(
                "reset-password",
                "Reset your password",
                0.93,
                "https://kb.example.com/reset",
                "support",
                "Choose Reset password under Settings > Security; the link we email you works for 30 minutes.",
            )
            return Answer(
                "Open Settings, then Security, and choose Reset password.",
                0.93,
                (hit,),
                (Citation(hit.article_id, hit.title, hit.url),),
                team="support",
            )
        if "invoice" in text:
            hit = ArticleHit("invoices", "Download invoices", 0.91, "https://kb.example.com/invoices", "billing")
            return Answer(
                "Invoices are under Billing, then History.",
                0.91,
                (hit,),
                (Citation(hit.article_id, hit.title, hit.url),),
                team="billing",
            )
        return Answer("", 0.05, (), (), relevant=False)


def sign(body: str, timestamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def message_event(
    text: str,
    *,
    user: str = CUSTOMER,
    team: str = CUSTOMER_TEAM,
    channel: str = SHARED,
    ts: str | None = None,
    thread_ts: str | None = None,
    **event_extra: Any,
) -> dict[str, Any]:
    """A Slack Connect `message` envelope shaped like fixtures/slack/events_api/slack_connect/actor_fields_present."""
    ts = ts or next_ts()
    event: dict[str, Any] = {
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": team,
        "user_team": team,
        "source_team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(event_extra)
    return {
        "team_id": team,
        "context_team_id": OUR_TEAM,
        "api_app_id": "A111",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{ts.replace('.', '')}",
        "event_time": int(float(ts)),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": OUR_TEAM,
                "user_id": "U_FRONTDESK",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": True,
    }


def find_button(blocks: list[dict[str, Any]], kind: str, value_suffix: str = "") -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id", "").startswith(f"fd:{kind}:") and element.get("value", "").endswith(value_suffix):
                return dict(element)
    raise AssertionError(f"no {kind!r} button in {json.dumps(blocks)[:400]}")


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"].split(":")[1] for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def all_text(args: dict[str, Any]) -> str:
    return json.dumps(args.get("blocks") or []) + " " + str(args.get("text", ""))


def block_actions(
    message: dict[str, Any], kind: str, *, user: str, team: str, trigger: str, fake_url: str, value: str = ""
) -> dict[str, Any]:
    """A button press on a posted message, shaped like fixtures/slack/interactivity/block_actions_*."""
    element = find_button(message["blocks"], kind, value)
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message["_ts"],
        "channel_id": message["channel"],
        "is_ephemeral": False,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A111",
        "token": "verification_token",
        "container": container,
        "trigger_id": f"{trigger}.222.valid",
        "team": {"id": team, "domain": "org"},
        "channel": {"id": message["channel"], "name": "shared"},
        "message": {
            "type": "message",
            "ts": message["_ts"],
            "thread_ts": message.get("thread_ts"),
            "text": message.get("text", ""),
        },
        "response_url": f"{fake_url}response",
        "actions": [{**element, "block_id": "fd_actions_0", "type": "button", "action_ts": next_ts()}],
    }


@dataclass
class Slack:
    http: TestClient[Any, Any]
    fake: FakeSlack
    app: App
    runtime: SlackRuntime
    trigger: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def settle(self) -> None:
        await self.runtime.tasks.drain(timeout=30)

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> ClientResponse:
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        return await self.http.post("/slack/events", data=body.encode(), headers=all_headers)

    async def event(self, envelope: dict[str, Any], *, retry: int | None = None, settle: bool = True) -> ClientResponse:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await self.post(json.dumps(envelope), "application/json", headers)
        if settle:
            await self.settle()
        return response

    async def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        envelope = message_event(text, **kwargs)
        response = await self.event(envelope)
        assert response.status == 200, await response.text()
        return envelope

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        response = await self.post(f"payload={quote(json.dumps(payload))}", "application/x-www-form-urlencoded")
        await self.settle()
        return response

    async def click(
        self, message: dict[str, Any], kind: str, *, user: str = CUSTOMER, team: str = CUSTOMER_TEAM, value: str = ""
    ) -> ClientResponse:
        """Press a button on a message the fake saw posted (the one whose value ends with `value`, if given)."""
        payload = block_actions(
            message, kind, user=user, team=team, trigger=str(next(self.trigger)), fake_url=self.fake.url, value=value
        )
        return await self.interact(payload)

    async def submit(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = CUSTOMER, team: str = CUSTOMER_TEAM
    ) -> ClientResponse:
        """Submit a modal the fake saw opened (shaped like interactivity/view_submission_slack_connect_other_side)."""
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "org"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A111",
            "token": "verification_token",
            "trigger_id": f"{next(self.trigger)}.333.valid",
            "view": {
                **view,
                "id": f"V{next(self.trigger)}",
                "team_id": team,
                "state": {"values": values},
                "app_installed_team_id": OUR_TEAM,
                "hash": "1.abc",
            },
        }
        return await self.interact(payload)

    async def command(
        self, text: str, *, user: str = ADMIN, team: str = OUR_TEAM, channel: str = SHARED
    ) -> dict[str, Any]:
        """`/frontdesk …`, form-encoded like fixtures/slack/slash_commands; returns the ack body (ephemeral)."""
        form = {
            "token": "verification_token",
            "team_id": team,
            "team_domain": "org",
            "channel_id": channel,
            "channel_name": "shared",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/frontdesk",
            "text": text,
            "api_app_id": "A111",
            "response_url": f"{self.fake.url}response",
            "trigger_id": "1.2.3",
        }
        response = await self.post(urlencode(form), "application/x-www-form-urlencoded")
        assert response.status == 200, await response.text()
        body: dict[str, Any] = json.loads(await response.text())
        await self.settle()
        return body


def make_settings(fake: FakeSlack, tmp_path: Any, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.url,
        "agents_channel": AGENTS,
        "admins": ADMIN,
        "data_dir": tmp_path,
        "database_url": "",
    }
    values.update(extra)
    return Settings(**values)


def make_config(approval_days: int = 0) -> Config:
    return Config(
        server=ServerConfig(playground=False),
        routing=RoutingConfig(approval_days=approval_days),
        teams={"billing": TeamConfig(channel=BILLING, topics=["billing", "invoice"])},
        slack=SlackConfig(),
    )


async def start_slack(
    fake: FakeSlack, settings: Settings, config: Config, store: Store | None = None, writer: Writer | None = None
) -> tuple[Slack, TestClient[Any, Any]]:
    store = store or MemoryStore(channel_defaults(config, settings))
    app = await bootstrap(
        settings,
        config=config,
        store=store,
        answerer=FakeAnswerer(),
        kb_languages=frozenset({"en", "de", "es"}),
        writer=writer,
    )
    web_app = build_web_app(app)
    client = TestClient(TestServer(web_app))
    await client.start_server()
    return Slack(client, fake, app, web_app[SLACK_KEY]), client


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


def check_messages(fake: FakeSlack) -> None:
    """Every message the bot sent had a text fallback and stayed within Block Kit's limits."""
    for method in ("chat.postMessage", "chat.update"):
        for args in fake.called(method):
            assert str(args.get("text") or "").strip(), f"{method} without a text fallback: {args}"
            blocks = args.get("blocks") or []
            assert len(blocks) <= 50
            for block in blocks:
                if block.get("type") == "section" and "text" in block:
                    assert len(block["text"]["text"]) <= 3000
                if block.get("type") == "actions":
                    assert len(block["elements"]) <= 25


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), make_config())
    yield harness
    await client.close()
    check_messages(fake)
