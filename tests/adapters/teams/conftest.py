"""Harness: the real server (`adapters.server.build_web_app`) with Teams mounted in anonymous mode, botbuilder's own
connector client pointed at `FakeConnector` on loopback through each activity's serviceUrl.

Activities are shaped like the real ones (see ../shared/fixtures/teams and SOURCES.md): a customer's message in a
channel thread (`conversation.id` = `<channel>;messageid=<root>`, channelData.tenant, an `<at>` mention entity), a
1:1 chat (`a:…`, conversationType personal), the bot's installation (`conversationUpdate`), and Universal Action
presses (`invoke` named `adaptiveCard/action`, value.action.data, replyToId = the card).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from adapters.teams import TEAMS_KEY, TeamsRuntime
from bot.bootstrap import App, bootstrap, channel_defaults
from bot.core.ports import Store
from bot.settings import Config, ServerConfig, Settings
from bot.store.memory import MemoryStore
from policies.config import RoutingConfig, TeamConfig
from tests.adapters.slack.conftest import FakeAnswerer
from tests.adapters.teams.fake_connector import Call, FakeConnector

OUR_TENANT = "7f3c2a10-5b4e-4c8d-9a61-2e0f8b7d4c11"
CUSTOMER_TENANT = "c2b51e94-0d7a-4f3b-8e25-6a9c1f4d8b72"
APP_ID = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
BOT = {"id": f"28:{APP_ID}", "name": "Frontdesk"}
SHARED = "19:8f1d2c3b4a5e4f60a7b8c9d0e1f2a3b4@thread.tacv2"  # the customer's shared channel
AGENTS = "19:a9e8d7c6b5a44f3e8d2c1b0a9f8e7d6c@thread.tacv2"
BILLING = "19:b1l1i2n3g4a5g6e7n8t9s0c1h2a3n4n5@thread.tacv2"
CUSTOMER = {"id": "29:1cUsToMeRdAnA-Xw", "name": "Dana Customer", "aadObjectId": "d4a7c1e2-9b3f-4e6a-8c5d-1f2e3a4b5c6d"}
AGENT = {"id": "29:1aGeNtAlEx-Qz", "name": "Alex Agent", "aadObjectId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"}
ADMIN = {"id": "29:1aDmInSaM-Pq", "name": "Sam Admin", "aadObjectId": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"}
_ids = itertools.count(1765432100000)


def next_id() -> str:
    return str(next(_ids))


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z"  # Teams sends 7 fractional digits


def person(who: dict[str, str], tenant: str) -> dict[str, str]:
    """`from` as Teams sends it; in a shared channel a member's home tenant rides along as `tenantId`."""
    return {**who, "tenantId": tenant}


def message(
    text: str,
    service_url: str,
    *,
    who: dict[str, str] = CUSTOMER,
    tenant: str = CUSTOMER_TENANT,
    channel: str = SHARED,
    root: str | None = None,
    mention: bool = True,
    activity_id: str | None = None,
) -> dict[str, Any]:
    """A channel message (a new post when `root` is None, else a reply in that thread), like the real fixture
    message_channel_thread_reply_with_bot_mention.json."""
    activity_id = activity_id or next_id()
    body = f"<at>Frontdesk</at> {text}" if mention else text
    entities: list[dict[str, Any]] = [{"type": "clientInfo", "locale": "en-US", "platform": "Web"}]
    if mention:
        entities.insert(0, {"type": "mention", "mentioned": BOT, "text": "<at>Frontdesk</at>"})
    host = CUSTOMER_TENANT if channel == SHARED else OUR_TENANT
    return {
        "type": "message",
        "channelId": "msteams",
        "text": body,
        "id": activity_id,
        "serviceUrl": service_url,
        "channelData": {
            "teamsChannelId": channel,
            "channel": {"id": channel, "name": "acme-support" if channel == SHARED else "agents"},
            "tenant": {"id": host},
        },
        "from": person(who, tenant),
        "recipient": BOT,
        "conversation": {
            "id": f"{channel};messageid={root or activity_id}",
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": host,
        },
        "entities": entities,
        "textFormat": "plain",
        "timestamp": now(),
        "locale": "en-US",
    }


def personal(text: str, service_url: str, *, who: dict[str, str] = ADMIN, tenant: str = OUR_TENANT) -> dict[str, Any]:
    """A 1:1 chat message (docs_message_personal_with_html_attachment.json's shape)."""
    return {
        "type": "message",
        "channelId": "msteams",
        "text": text,
        "id": next_id(),
        "serviceUrl": service_url,
        "channelData": {"tenant": {"id": tenant}},
        "from": person(who, tenant),
        "recipient": BOT,
        "conversation": {"id": f"a:1chat-{who['aadObjectId']}", "conversationType": "personal", "tenantId": tenant},
        "entities": [{"type": "clientInfo", "locale": "en-US"}],
        "textFormat": "plain",
        "timestamp": now(),
    }


def installed(channel: str, service_url: str, tenant: str = OUR_TENANT) -> dict[str, Any]:
    """The bot added to a team (docs_conversationUpdate_teamMemberAdded_bot_installed_in_team.json's shape)."""
    return {
        "type": "conversationUpdate",
        "membersAdded": [{"id": BOT["id"]}],
        "timestamp": now(),
        "id": f"f:{next_id()}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": ADMIN["id"], "aadObjectId": ADMIN["aadObjectId"]},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": tenant, "id": channel,
                         "name": {AGENTS: "agents", BILLING: "billing-agents"}.get(channel, "leads")},
        "recipient": BOT,
        "channelData": {
            "settings": {"selectedChannel": {"id": channel}},
            "team": {"id": channel, "name": "Support"},
            "eventType": "teamMemberAdded",
            "tenant": {"id": tenant},
        },
    }


def find_action(call: Call, kind: str) -> dict[str, Any]:
    for action in call.card.get("actions") or []:
        if action.get("type") == "Action.Execute" and action["data"].get("fd") == kind:
            return dict(action)
    raise AssertionError(f"no {kind!r} button on {json.dumps(call.card)[:500]}")


def buttons(call: Call) -> list[str]:
    return [a["data"]["fd"] for a in call.card.get("actions") or []]


def invoke(call: Call, kind: str, service_url: str, *, who: dict[str, str], tenant: str, **inputs: str) -> dict[str, Any]:
    """Pressing an Action.Execute button on a posted card (invoke_adaptiveCard_action_execute_personal.json's shape)."""
    action = find_action(call, kind)
    conversation = call.conversation
    channel = conversation.split(";messageid=")[0]
    kind_of = "personal" if conversation.startswith("a:") else "channel"
    host = CUSTOMER_TENANT if channel == SHARED else OUR_TENANT
    if kind_of == "channel" and ";messageid=" not in conversation:
        conversation = f"{conversation};messageid={call.new_id}"  # a top-level card is the root of its own thread
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "channelId": "msteams",
        "id": f"f:{next_id()}",
        "serviceUrl": service_url,
        "channelData": {"tenant": {"id": host}, "source": {"name": "message"}},
        "from": person(who, tenant),
        "recipient": BOT,
        "conversation": {"id": conversation, "conversationType": kind_of, "tenantId": host},
        "value": {"action": {"type": "Action.Execute", "title": action["title"], "data": {**action["data"], **inputs}}, "trigger": "manual"},
        "replyToId": call.new_id,
        "timestamp": now(),
    }


@dataclass
class Teams:
    http: TestClient[Any, Any]
    fake: FakeConnector
    app: App
    runtime: TeamsRuntime
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def settle(self) -> None:
        await self.runtime.tasks.drain(timeout=30)

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> ClientResponse:
        self.sent.append(activity)
        return await self.http.post("/api/messages", json=activity, headers=headers or {})

    async def send(self, activity: dict[str, Any]) -> ClientResponse:
        response = await self.post(activity)
        assert response.status in (200, 201), await response.text()
        await self.settle()
        return response

    async def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        activity = message(text, self.fake.url, **kwargs)
        await self.send(activity)
        return activity

    async def press(
        self,
        call: Call,
        kind: str,
        *,
        who: dict[str, str] = CUSTOMER,
        tenant: str = CUSTOMER_TENANT,
        as_posted: bool = False,  # press a button on an out-of-date copy of the card (another agent's screen)
        **inputs: str,
    ) -> dict[str, Any]:
        call = call if as_posted else self.fake.latest(call)
        response = await self.post(invoke(call, kind, self.fake.url, who=who, tenant=tenant, **inputs))
        assert response.status == 200, await response.text()
        body: dict[str, Any] = json.loads(await response.text())
        await self.settle()
        return body


def make_settings(tmp_path: Any, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "teams_tenant_id": OUR_TENANT,
        "teams_agents_channel": AGENTS,
        "teams_admins": ADMIN["aadObjectId"],
        "data_dir": tmp_path,
        "database_url": "",
    }
    values.update(extra)
    return Settings(**values)


def make_config(approval_days: int = 0) -> Config:
    return Config(
        server=ServerConfig(playground=False, dashboard=False),
        routing=RoutingConfig(approval_days=approval_days),
        teams={"billing": TeamConfig(teams_channel=BILLING, topics=["billing", "invoice"])},
    )


async def start_teams(
    fake: FakeConnector, settings: Settings, config: Config, store: Store | None = None, *, install: bool = True
) -> tuple[Teams, TestClient[Any, Any]]:
    store = store or MemoryStore(channel_defaults(config, settings))
    app = await bootstrap(settings, config=config, store=store, answerer=FakeAnswerer(), kb_languages=frozenset({"en"}))
    web_app = build_web_app(app, maintenance_interval=0)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    teams = Teams(client, fake, app, web_app[TEAMS_KEY])
    for channel in (AGENTS, BILLING) if install else ():
        await teams.send(installed(channel, fake.url))  # Teams tells the bot where it lives
    return teams, client


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    server = FakeConnector()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def teams(fake: FakeConnector, tmp_path: Any) -> AsyncIterator[Teams]:
    harness, client = await start_teams(fake, make_settings(tmp_path), make_config())
    yield harness
    await client.close()
