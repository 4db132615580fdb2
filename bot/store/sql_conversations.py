"""Reads and writes one `Conversation` aggregate (row, turns, customer and org) inside a caller's transaction.

Turns are append-only in the aggregate, so a save inserts only the turns the database has not got yet (two
replicas saving the same conversation both keep their turns); the
customer and their org are upserted so first/last seen and names stay current without a separate call.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation import Conversation, ConversationStatus, Turn
from bot.core.types import Actor, Address, Platform, Role
from bot.store.models import ConversationRow, Customer, Org, TurnRow
from bot.store.records import address_to_json, article_from_json, article_to_json, frozen, unsaved_turns
from bot.store.upsert import insert_for


async def _upsert_org(session: AsyncSession, dialect: str, actor: Actor, now: datetime) -> int | None:
    if not actor.org:
        return None
    stmt = (
        insert_for(dialect, Org)
        .values(external_id=actor.org, is_external=actor.is_external, first_seen=now, last_seen=now)
        .on_conflict_do_update(index_elements=["external_id"], set_={"last_seen": now})
        .returning(Org.id)
    )
    return (await session.execute(stmt)).scalar_one()


async def upsert_customer(session: AsyncSession, dialect: str, actor: Actor, now: datetime) -> int:
    """The customer's row id, creating the row (and the org's) on first sight; never touches the VIP flag."""
    org_id = await _upsert_org(session, dialect, actor, now)
    current = {"name": actor.name, "org_id": org_id, "role": str(actor.role), "is_external": actor.is_external}
    stmt = (
        insert_for(dialect, Customer)
        .values(external_id=actor.id, first_seen=now, last_seen=now, **current)
        .on_conflict_do_update(index_elements=["external_id"], set_={**current, "last_seen": now})
        .returning(Customer.id)
    )
    return (await session.execute(stmt)).scalar_one()


async def load(session: AsyncSession, key: str) -> Conversation | None:
    found = (
        await session.execute(
            select(ConversationRow, Customer, Org.external_id)
            .join(Customer, Customer.id == ConversationRow.customer_id)
            .outerjoin(Org, Org.id == Customer.org_id)
            .where(ConversationRow.key == key)
        )
    ).one_or_none()
    if found is None:
        return None
    row, person, org = found
    turns = (
        await session.scalars(select(TurnRow).where(TurnRow.conversation_id == row.id).order_by(TurnRow.seq))
    ).all()
    return Conversation(
        key=row.key,
        address=Address(Platform(row.platform), row.workspace, row.channel, row.thread, row.is_dm, frozen(row.opaque)),
        customer=Actor(person.external_id, person.name, org or "", Role(person.role), person.is_external),
        started_at=row.started_at,
        status=ConversationStatus(row.status),
        language=row.language,
        failed_attempts=row.failed_attempts,
        ai_answers=row.ai_answers,
        turns=[Turn(Role(t.role), t.text, t.at, t.author, t.decision, t.reason) for t in turns],
        last_articles=tuple(article_from_json(a) for a in row.last_articles),
        handoff_id=row.handoff_id,
        claimed_by=row.claimed_by,
        reopened=row.reopened,
        id=row.id,
    )


def _turn_values(conversation_id: int, seq: int, turn: Turn) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "seq": seq,
        "role": str(turn.role),
        "text": turn.text,
        "author": turn.author_id,
        "decision": turn.decision,
        "reason": turn.reason,
        "at": turn.at,
    }


async def save(
    session: AsyncSession, dialect: str, conversation: Conversation, now: datetime, customer_id: int | None = None
) -> tuple[int, int]:
    """Insert or update the conversation and append its new turns; returns the row id and the customer's.

    `customer_id`: the customer's row id when the caller upserted them a moment ago (`CustomerIds`); their row is
    then left alone (its last_seen is refreshed at most every `CustomerIds.seconds`)."""
    if customer_id is None:
        customer_id = await upsert_customer(session, dialect, conversation.customer, now)
    values: dict[str, Any] = {
        **address_to_json(conversation.address),  # the address columns are named like its JSON form
        "customer_id": customer_id,
        "status": str(conversation.status),
        "language": conversation.language,
        "failed_attempts": conversation.failed_attempts,
        "ai_answers": conversation.ai_answers,
        "last_articles": [article_to_json(a) for a in conversation.last_articles],
        "handoff_id": conversation.handoff_id,
        "claimed_by": conversation.claimed_by,
        "reopened": conversation.reopened,
        "updated_at": now,
    }
    insert = insert_for(dialect, ConversationRow).values(key=conversation.key, started_at=conversation.started_at, **values)
    if conversation.id is None:
        # New to the caller: if it is new to the database too, every turn is new and there is nothing to read back.
        fresh = await session.execute(insert.on_conflict_do_nothing(index_elements=["key"]).returning(ConversationRow.id))
        row_id = fresh.scalar_one_or_none()
        if row_id is not None:
            await _append(session, dialect, [_turn_values(row_id, seq, t) for seq, t in enumerate(conversation.turns)])
            return row_id, customer_id
    stmt = insert.on_conflict_do_update(index_elements=["key"], set_=values).returning(ConversationRow.id)
    row_id = (await session.execute(stmt)).scalar_one()
    stored = (
        await session.execute(
            select(TurnRow.role, TurnRow.author, TurnRow.at, TurnRow.text, TurnRow.seq).where(
                TurnRow.conversation_id == row_id
            )
        )
    ).all()
    # The upsert above holds the conversation row's lock, so a concurrent save waits here and then sees our turns.
    after = max((r.seq for r in stored), default=-1) + 1
    missing = unsaved_turns(((r.role, r.author, r.at, r.text) for r in stored), conversation.turns)
    await _append(session, dialect, [_turn_values(row_id, after + i, t) for i, t in enumerate(missing)])
    return row_id, customer_id


async def _append(session: AsyncSession, dialect: str, turns: list[dict[str, Any]]) -> None:
    if turns:
        await session.execute(insert_for(dialect, TurnRow), turns)


class CustomerIds:
    """Customers' row ids this process upserted recently, so a busy customer's every message does not rewrite
    their row (two statements, and on PostgreSQL a row lock every replica's writes of that customer queue on).

    Keyed by everything the upsert writes (id, name, org, role, external): a change of name or org upserts again.
    Filled only after the transaction that wrote the row has committed. Customer rows are never deleted."""

    def __init__(self, seconds: float = 60.0, entries: int = 10_000) -> None:
        self.seconds = seconds
        self.entries = entries
        self._ids: dict[tuple[str, str, str, str, bool], tuple[int, float]] = {}

    @staticmethod
    def _key(actor: Actor) -> tuple[str, str, str, str, bool]:
        return (actor.id, actor.name, actor.org, str(actor.role), actor.is_external)

    def get(self, actor: Actor) -> int | None:
        found = self._ids.get(self._key(actor))
        return found[0] if found is not None and time.monotonic() - found[1] < self.seconds else None

    def put(self, actor: Actor, customer_id: int) -> None:
        if len(self._ids) >= self.entries:
            self._ids.clear()
        self._ids[self._key(actor)] = (customer_id, time.monotonic())
