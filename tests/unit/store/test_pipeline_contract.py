"""The inbox/outbox part of the `Store` contract, on every implementation (memory, SQLite, PostgreSQL), and the
replica races only a shared database has: one decision per event, one claim per outbox item."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.conversation import Conversation
from bot.core.outbox import OutboxItem, OutboxKind, TurnWrite
from bot.core.types import Actor, Address, Escalate, Handoff, Inbound, Platform, Reply, Respond, Role, Ticket
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore

from .conftest import TEST_DEFAULTS, FakeClock, StoreFactory, create_pg_schema, drop_pg_schema

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = Actor("U1", "Ada", "T_ACME", Role.CUSTOMER, is_external=True)
ADDR = Address(Platform.SLACK, "T_HOME", "C_SUPPORT", "1700.01")


def inbound(message_id: str, text: str = "refunds?") -> Inbound:
    return Inbound(message_id, ADDR, CUSTOMER, text, T0, language="en")


def turn(message_id: str, *, escalate: bool = False) -> TurnWrite:
    conversation = Conversation(f"slack:T_HOME:C_SUPPORT:{message_id}", ADDR, CUSTOMER, T0)
    reply = Reply("Refunds take 5 days.")
    if not escalate:
        items = (OutboxItem(OutboxKind.REPLY, ADDR, reply, key=f"{message_id}:0"),)
        return TurnWrite(inbound(message_id), conversation, Respond(reply, "answered", 0.9, "en"), "billing", None, items)
    handoff = Handoff("Asked: refunds", "asked_for_human", "billing", customer=CUSTOMER)
    ticket = Ticket(f"t-{message_id}", conversation.key, ADDR, handoff, created_at=T0)
    conversation.escalate(ticket.id)
    items = (
        OutboxItem(OutboxKind.REPLY, ADDR, reply, key=f"{message_id}:0"),
        OutboxItem(OutboxKind.CARD, ADDR, ticket_id=ticket.id, key=f"{message_id}:1"),
    )
    return TurnWrite(inbound(message_id), conversation, Escalate(reply, handoff, "asked_for_human", "en"), "billing", ticket, items)


async def test_accept_is_true_once_and_the_event_stays_pending_until_decided(make_store: StoreFactory, clock: FakeClock) -> None:
    store = await make_store()
    assert await store.accept(inbound("m1")) is True
    assert await store.accept(inbound("m1")) is False
    later = clock() + timedelta(hours=1)
    [pending] = await store.pending_inbound(later)
    assert pending.message_id == "m1" and pending.text == "refunds?" and pending.author == CUSTOMER
    assert await store.inbound_failed(pending) == 1
    assert (await store.outbox_stats()).inbox_pending == 1
    recorded = await store.record_turn(turn("m1"))
    assert recorded is not None and [i.key for i in recorded.outbox] == ["m1:0"]
    assert await store.pending_inbound(later) == []
    assert await store.record_turn(turn("m1")) is None  # decided already: nothing is written twice
    assert len(await store.decisions()) == 1


async def test_a_turn_writes_conversation_ticket_decision_and_outbox_together(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.accept(inbound("m2"))
    recorded = await store.record_turn(turn("m2", escalate=True))
    assert recorded is not None
    assert [i.kind for i in recorded.outbox] == [OutboxKind.REPLY, OutboxKind.CARD]
    assert all(i.id and i.attempts == 1 for i in recorded.outbox)
    ticket = await store.get_ticket("t-m2")
    assert ticket is not None and ticket.handoff.reason == "asked_for_human"
    conversation = await store.load_conversation("slack:T_HOME:C_SUPPORT:m2")
    assert conversation is not None and conversation.handoff_id == "t-m2"
    stats = await store.outbox_stats()
    assert stats.pending == 2 and stats.oldest is not None


async def test_outbox_items_are_claimed_when_due_retried_and_marked_once(make_store: StoreFactory, clock: FakeClock) -> None:
    store = await make_store()
    await store.accept(inbound("m3"))
    recorded = await store.record_turn(turn("m3", escalate=True))
    assert recorded is not None
    reply, card = recorded.outbox
    now = clock()
    assert await store.claim_outbox(now, lease=30) == []  # the writer holds them for its first attempt
    await store.outbox_sent(reply.id, "C_SUPPORT:1.1")
    await store.outbox_retry(card.id, now + timedelta(seconds=5), "Slack chat.postMessage failed: 500")
    assert await store.claim_outbox(now, lease=30) == []
    [again] = await store.claim_outbox(now + timedelta(seconds=6), lease=30)
    assert again.id == card.id and again.attempts == 2 and again.ticket_id == "t-m3"
    assert await store.claim_outbox(now + timedelta(seconds=7), lease=30) == []  # claimed: not handed out twice
    await store.set_card_ref("t-m3", "C_AGENTS:2.2")
    await store.outbox_failed(card.id, "channel_not_found")
    stats = await store.outbox_stats()
    assert (stats.pending, stats.failed) == (0, 1)
    ticket = await store.get_ticket("t-m3")
    assert ticket is not None and ticket.card_ref == "C_AGENTS:2.2"


async def _race(url: str) -> None:
    await upgrade(url)
    replicas = [SqlStore(url, TEST_DEFAULTS), SqlStore(url, TEST_DEFAULTS)]
    try:
        for n in range(10):
            await replicas[0].accept(inbound(f"r{n}"))
        # Both replicas decide every event at once: exactly one decision each.
        results = await asyncio.gather(*(s.record_turn(turn(f"r{n}")) for n in range(10) for s in replicas))
        assert sum(r is not None for r in results) == 10
        assert len(await replicas[1].decisions()) == 10
        # Every item comes due; both replicas claim at once, repeatedly: each item is claimed exactly once.
        later = datetime.now(UTC) + timedelta(minutes=5)
        claims = await asyncio.gather(*(s.claim_outbox(later, lease=60, limit=3) for s in replicas * 4))
        ids = [item.id for claim in claims for item in claim]
        assert sorted(ids) == sorted(set(ids)) and len(ids) == 10
    finally:
        for store in replicas:
            await store.close()


async def test_replicas_on_sqlite_decide_and_claim_once(tmp_path: object) -> None:
    await _race(f"sqlite+aiosqlite:///{tmp_path}/race.db")


@pytest.mark.postgres
async def test_replicas_on_postgres_decide_and_claim_once() -> None:
    schema, url = await create_pg_schema()
    try:
        await _race(url)
    finally:
        await drop_pg_schema(schema)
