"""`POST /hooks/campaigns/<name>` on the real server: an event from another system fires a campaign for the
organisations it names; bad tokens, names and bodies get clear errors and send nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from bot.bootstrap import bootstrap
from bot.core.conversation import Conversation
from bot.core.types import Actor, Address, Platform, Role
from bot.settings import Config, ServerConfig, Settings
from bot.store.memory import MemoryStore
from scheduler.config import CampaignConfig
from tests.fakes import KeywordAnswerer, RecordingOutbox

TOKEN = "hook-secret-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def hook(tmp_path: Path) -> AsyncIterator[tuple[TestClient[Any, Any], RecordingOutbox]]:
    config = Config(server=ServerConfig(playground=False),
                    campaigns={"failed_payment": CampaignConfig(text="Your last payment failed, {org}.", min_days_between=0)})
    store = MemoryStore()
    for n, org in enumerate(["T_ACME", "T_GLOBEX"]):
        address = Address(Platform.SLACK, "T_HOME", f"C{n}", "1.1")
        await store.save_conversation(Conversation(f"k{n}", address, Actor(f"U{n}", org=org, role=Role.CUSTOMER), datetime.now(UTC)))
    app = await bootstrap(Settings(data_dir=tmp_path, webhook_token=TOKEN), config=config, store=store,
                          answerer=KeywordAnswerer({}), kb_languages=frozenset({"en"}))
    outbox = RecordingOutbox()
    app.outboxes[Platform.SLACK] = outbox
    async with TestClient(TestServer(build_web_app(app, maintenance_interval=0))) as client:
        yield client, outbox


async def test_an_event_fires_the_campaign_for_the_named_organisation(hook: tuple[TestClient[Any, Any], RecordingOutbox]) -> None:
    client, outbox = hook
    response = await client.post("/hooks/campaigns/failed_payment", json={"orgs": ["T_GLOBEX"]}, headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"campaign": "failed_payment", "result": "Campaign failed_payment: 1 sent, 1 not targeted."}
    assert [(a.channel, r.text) for a, r in outbox.sent] == [("C1", "Your last payment failed, T_GLOBEX.")]


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "error"),
    [
        ("/hooks/campaigns/failed_payment", {}, None, 401, "missing or wrong bearer token"),
        ("/hooks/campaigns/failed_payment", {"Authorization": "Bearer nope"}, None, 401, "missing or wrong"),
        ("/hooks/campaigns/launch", AUTH, None, 404, "no campaign 'launch'; campaigns: failed_payment"),
        ("/hooks/campaigns/failed_payment", AUTH, "{not json", 400, "the body is not JSON"),
        ("/hooks/campaigns/failed_payment", AUTH, '{"orgs": []}', 400, '"orgs" must be a non-empty list'),
        ("/hooks/campaigns/failed_payment", AUTH, '{"org": "T_ACME"}', 400, 'at most "orgs"'),
    ],
)
async def test_bad_requests_are_refused_and_send_nothing(
    hook: tuple[TestClient[Any, Any], RecordingOutbox], path: str, headers: dict[str, str], body: str | None,
    status: int, error: str,
) -> None:
    client, outbox = hook
    response = await client.post(path, data=body, headers=headers)
    assert response.status == status
    assert error in (await response.json())["error"]
    assert outbox.sent == []


async def test_no_token_no_route(tmp_path: Path) -> None:
    app = await bootstrap(Settings(data_dir=tmp_path), config=Config(server=ServerConfig(playground=False)),
                          store=MemoryStore(), answerer=KeywordAnswerer({}), kb_languages=frozenset({"en"}))
    async with TestClient(TestServer(build_web_app(app, maintenance_interval=0))) as client:
        assert (await client.post("/hooks/campaigns/x", headers=AUTH)).status == 404
