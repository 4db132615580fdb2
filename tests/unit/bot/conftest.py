"""A core harness: the real engine, dispatcher and desk on the in-memory store with fake answerer and policies."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.types import Mode, Platform
from bot.orchestration.desk import Desk
from bot.orchestration.dispatcher import Dispatcher
from bot.orchestration.engine import Engine
from bot.orchestration.locks import Locks
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore
from tests.fakes import (
    Clock,
    FailurePolicy,
    GatePolicy,
    HumanRequestPolicy,
    KeywordAnswerer,
    Phrases,
    RecordingDesk,
    RecordingOutbox,
)


@dataclass
class Core:
    store: MemoryStore
    answerer: KeywordAnswerer
    engine: Engine
    dispatcher: Dispatcher
    desk: Desk
    outbox: RecordingOutbox
    agents: RecordingDesk
    clock: Clock


def make_core(mode: Mode = Mode.AI_FIRST, approval_days: int = 0) -> Core:
    clock = Clock()
    store = MemoryStore(ChannelDefaults(mode=mode, approval_days=approval_days), clock=clock)
    answerer = KeywordAnswerer(
        {
            "invoice": ("billing-invoices", "Download invoices from Settings > Billing."),
            "password": ("account-reset-password", "Use Forgot password on the sign-in page."),
            "discount": ("internal-discounts", "Internal code RB-SECRET."),
        },
        internal=frozenset({"internal-discounts"}),
    )
    phrases = Phrases()
    engine = Engine(answerer, [HumanRequestPolicy(), FailurePolicy()], [GatePolicy()], phrases, clock=clock)
    outbox, agents = RecordingOutbox(), RecordingDesk()
    outboxes = {Platform.WEB: outbox}
    desks = {Platform.WEB: agents}
    locks = Locks()
    desk = Desk(store, outboxes, desks, phrases, locks, clock)
    dispatcher = Dispatcher(store, engine, outboxes, desks, desk, locks, clock)
    return Core(store, answerer, engine, dispatcher, desk, outbox, agents, clock)


@pytest.fixture
def core() -> Core:
    return make_core()
