"""The `Store` methods replicas need, on every implementation (memory, SQLite, PostgreSQL): a conversation's earlier
pending events, and an agent action written with its outbox items in one transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.errors import NotFound
from bot.core.outbox import ActionWrite, OutboxItem, OutboxKind
from bot.core.types import Address, HandoffStatus, Inbound, Platform, Reply

from .conftest import StoreFactory
from .test_pipeline_contract import ADDR, CUSTOMER, T0, inbound, turn

OTHER = Address(Platform.SLACK, "T_HOME", "C_SUPPORT", "1800.02")  # another thread of the same channel


async def test_earlier_pending_are_the_threads_undecided_events_accepted_before(make_store: StoreFactory) -> None:
    store = await make_store()
    for message_id in ("a", "b"):
        await store.accept(inbound(message_id))
    await store.accept(Inbound("elsewhere", OTHER, CUSTOMER, "hi", T0))
    await store.accept(inbound("c"))
    assert [e.message_id for e in await store.earlier_pending(inbound("c"))] == ["a", "b"]  # not the other thread
    assert await store.earlier_pending(inbound("a")) == []
    await store.record_turn(turn("a"))
    assert [e.message_id for e in await store.earlier_pending(inbound("c"))] == ["b"]
    await store.record_turn(turn("c"))
    assert await store.earlier_pending(inbound("c")) == []  # decided itself: nothing to catch up
    assert await store.earlier_pending(inbound("never-accepted")) == []


async def test_an_action_saves_ticket_and_conversation_with_its_outbox_items(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.accept(inbound("m"))
    recorded = await store.record_turn(turn("m", escalate=True))
    assert recorded is not None
    ticket = await store.get_ticket("t-m")
    conversation = await store.load_conversation(ticket.conversation_key) if ticket else None
    assert ticket is not None and conversation is not None
    claimed = replace(ticket, status=HandoffStatus.CLAIMED, agent="U_AGENT", claimed_at=T0)
    conversation.claim("U_AGENT")
    items = (
        OutboxItem(OutboxKind.REPLY, ADDR, Reply("Sam is on it."), ticket_id=ticket.id, key="desk:x:0"),
        OutboxItem(OutboxKind.CARD_UPDATE, ADDR, ticket_id=ticket.id, key="desk:x:1"),
        OutboxItem(OutboxKind.AGENT_NOTE, ADDR, Reply("Did you rewrite it?"), ticket_id=ticket.id, key="desk:x:2"),
    )
    queued = await store.record_action(ActionWrite(conversation.key, conversation, claimed, items))
    assert [i.kind for i in queued] == [OutboxKind.REPLY, OutboxKind.CARD_UPDATE, OutboxKind.AGENT_NOTE]
    assert all(i.id and i.attempts == 1 for i in queued) and len({i.id for i in queued}) == 3
    stored = await store.get_ticket("t-m")
    assert stored is not None and (stored.status, stored.agent) == (HandoffStatus.CLAIMED, "U_AGENT")
    again = await store.load_conversation(conversation.key)
    assert again is not None and again.claimed_by == "U_AGENT"
    assert (await store.outbox_stats()).pending == 2 + 3


async def test_an_action_on_a_missing_ticket_writes_nothing(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.accept(inbound("n"))
    await store.record_turn(turn("n", escalate=True))
    ticket = await store.get_ticket("t-n")
    assert ticket is not None
    item = OutboxItem(OutboxKind.REPLY, ADDR, Reply("hello"), key="desk:y:0")
    with pytest.raises(NotFound):
        await store.record_action(ActionWrite(ticket.conversation_key, None, replace(ticket, id="t-gone"), (item,)))
    assert (await store.outbox_stats()).pending == 2  # the decision's two items only


@pytest.mark.postgres
async def test_outbox_claims_on_postgres_skip_rows_another_replica_holds() -> None:
    """The claim PostgreSQL runs is `… FOR UPDATE SKIP LOCKED`: replicas never wait on, nor share, a claimed row."""
    from datetime import timedelta

    from sqlalchemy import event

    from bot.store.migrate import upgrade
    from bot.store.sql import SqlStore

    from .conftest import TEST_DEFAULTS, create_pg_schema, drop_pg_schema

    schema, url = await create_pg_schema()
    store = SqlStore(url, TEST_DEFAULTS)
    statements: list[str] = []
    try:
        await upgrade(url)
        event.listen(store.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
        await store.claim_outbox(T0 + timedelta(days=1), lease=30)
    finally:
        await store.close()
        await drop_pg_schema(schema)
    claims = [s for s in statements if "UPDATE outbox" in s]
    assert len(claims) == 1 and "FOR UPDATE SKIP LOCKED" in claims[0]
