"""Transcript harness: the real bootstrap (real knowledge base on examples/kb, real policy chain) on a memory store.

A `Transcript` plays one customer in one thread and records what they would see, so scenarios read like
"customer says … → bot does …".
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import App, bootstrap, channel_defaults, open_knowledge_base
from bot.core.types import Actor, Address, Decision, Inbound, InboundKind, Platform, Reply, Role
from bot.settings import Config, Settings, load_config
from bot.store.memory import MemoryStore
from tests.fakes import RecordingDesk, RecordingOutbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(kb_dir=ROOT / "examples" / "kb", data_dir=tmp_path_factory.mktemp("kbdata"))


@pytest.fixture(scope="session")
def example_config() -> Config:
    config = load_config(ROOT / "examples" / "frontdesk.toml")
    # Scenarios exercise AI-first unless they set a mode: the 30-day approval period has its own scenario.
    return config.model_copy(update={"routing": config.routing.model_copy(update={"approval_days": 0})})


@pytest.fixture(scope="session")
def knowledge_base(kb_settings: Settings, example_config: Config) -> Any:
    return open_knowledge_base(kb_settings, example_config)


@dataclass
class Transcript:
    app: App
    outbox: RecordingOutbox
    agents: RecordingDesk
    customer: Actor = field(default_factory=lambda: Actor("U_CUST", "Dana", "acme", Role.CUSTOMER, True))
    thread: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    decisions: list[Decision | None] = field(default_factory=list)

    @property
    def address(self) -> Address:
        return Address(Platform.WEB, "acme", "shared", self.thread)

    async def say(
        self,
        text: str,
        *,
        message_id: str | None = None,
        kind: InboundKind = InboundKind.MESSAGE,
        author: Actor | None = None,
        reason: str | None = None,
    ) -> Decision | None:
        inbound = Inbound(
            message_id or uuid.uuid4().hex,
            self.address,
            author or self.customer,
            text,
            datetime.now(UTC),
            kind=kind,
            reason_choice=reason,
        )
        decision = await self.app.dispatcher.submit(inbound)
        self.decisions.append(decision)
        return decision

    async def not_helpful(self) -> Decision | None:
        return await self.app.dispatcher.feedback(
            self.address, self.customer, helpful=False, message_id=uuid.uuid4().hex
        )

    def seen(self) -> list[Reply]:
        return [reply for address, reply in self.outbox.sent if address.thread == self.thread]


async def make_app(
    settings: Settings, config: Config, knowledge_base: Any
) -> tuple[App, RecordingOutbox, RecordingDesk]:
    store = MemoryStore(channel_defaults(config, settings))
    app = await bootstrap(
        settings, config=config, store=store, answerer=knowledge_base, kb_languages=knowledge_base.languages()
    )
    outbox, agents = RecordingOutbox(), RecordingDesk()
    app.outboxes[Platform.WEB] = outbox
    app.desks[Platform.WEB] = agents
    return app, outbox, agents


@pytest.fixture
async def transcript(kb_settings: Settings, example_config: Config, knowledge_base: Any) -> AsyncIterator[Transcript]:
    app, outbox, agents = await make_app(kb_settings, example_config, knowledge_base)
    yield Transcript(app, outbox, agents)
    await app.close()
