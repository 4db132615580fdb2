"""The shared server: health, and the maintenance pass that resends replies a failed delivery left behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from bot.bootstrap import bootstrap, channel_defaults
from bot.core.types import Actor, Address, Inbound, Platform
from bot.settings import Config, Settings
from bot.store.memory import MemoryStore
from tests.fakes import Clock, KeywordAnswerer, RecordingOutbox


async def test_failed_delivery_is_resent_by_the_maintenance_pass(tmp_path: Path) -> None:
    clock = Clock(datetime.now(UTC))
    settings = Settings(data_dir=tmp_path)
    config = Config()
    config = config.model_copy(update={"routing": config.routing.model_copy(update={"approval_days": 0})})
    store = MemoryStore(channel_defaults(config, settings), clock=clock)
    answerer = KeywordAnswerer({"invoice": ("billing-invoices", "Invoices are under Settings > Billing.")})
    app = await bootstrap(
        settings, config=config, store=store, answerer=answerer, kb_languages=frozenset({"en"}), clock=clock
    )
    web_app = build_web_app(app, maintenance_interval=0.05)
    async with TestClient(TestServer(web_app)) as client:
        outbox = RecordingOutbox(fail=True)
        app.outboxes[Platform.WEB] = outbox
        health = await client.get("/healthz")
        assert health.status == 200
        inbound = Inbound(
            "m1", Address(Platform.WEB, "w", "c", "t1"), Actor("u1", is_external=True), "where is my invoice?", clock()
        )
        await app.dispatcher.submit(inbound)
        assert outbox.sent == []
        outbox.fail = False
        clock.advance(minutes=5)
        for _ in range(100):
            if outbox.sent:
                break
            await asyncio.sleep(0.05)
        assert [reply.text for _, reply in outbox.sent] == ["Invoices are under Settings > Billing."]
        assert all(record.delivered for record in await store.decisions())
