"""The inbox and outbox on SQLAlchemy, inside a caller's session: the durable half of the message path.

Claims use one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING, so on PostgreSQL replicas never
wait on each other's rows and never both take one, and on SQLite (where FOR UPDATE is not rendered) the single
statement is atomic under the database's one writer. Hand-rolled rather than a queue library: see docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.conversation import conversation_key
from bot.core.errors import handoff_not_found
from bot.core.outbox import OutboxItem, OutboxStats, Recorded, TurnWrite
from bot.core.types import Inbound
from bot.store import sql_conversations as conversations
from bot.store.defaults import utc
from bot.store.group_commit import GroupCommit
from bot.store.models import InboxRow, OutboxRow, TicketRow
from bot.store.queue_records import (
    DONE,
    FAILED,
    PENDING,
    SENT,
    inbound_from_json,
    inbound_to_json,
    outbox_item,
    outbox_payload,
)
from bot.store.records import normalize_ticket
from bot.store.sql_rows import decision_row, ticket_values
from bot.store.upsert import insert_for

T = TypeVar("T")

_ITEM_COLUMNS = (
    OutboxRow.id,
    OutboxRow.kind,
    OutboxRow.key,
    OutboxRow.ticket_id,
    OutboxRow.payload,
    OutboxRow.attempts,
    OutboxRow.created_at,
)


def _inbox_values(inbound: Inbound, now: datetime) -> dict[str, object]:
    return {
        "platform": str(inbound.address.platform),
        "message_id": inbound.message_id,
        "conversation_key": conversation_key(inbound.address),  # replicas: bot.store.sql_ordering
        "payload": inbound_to_json(inbound),
        "state": PENDING,
        "attempts": 0,
        "received_at": now,
    }


async def accept_many(session: AsyncSession, dialect: str, accepted: list[tuple[Inbound, datetime]]) -> list[bool]:
    """Insert concurrent events' inbox rows in one statement; for each, whether it is new (False: a retry of an event
    already recorded, or a second copy of one earlier in the same batch)."""
    keys = [(str(i.address.platform), i.message_id) for i, _ in accepted]
    first = {key: n for n, key in reversed(list(enumerate(keys)))}
    rows = [_inbox_values(inbound, now) for n, (inbound, now) in enumerate(accepted) if first[keys[n]] == n]
    stmt = (
        insert_for(dialect, InboxRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["platform", "message_id"])
        .returning(InboxRow.platform, InboxRow.message_id)
    )
    inserted = {(r.platform, r.message_id) for r in (await session.execute(stmt)).all()}
    return [key in inserted and first[key] == n for n, key in enumerate(keys)]


async def sent_many(session: AsyncSession, marks: list[dict[str, object]]) -> list[None]:
    """Mark concurrent deliveries' items sent: one executemany UPDATE by primary key (`sent_values` plus "id")."""
    await session.execute(update(OutboxRow), marks)
    return [None] * len(marks)


async def pending(session: AsyncSession, older_than: datetime, limit: int) -> list[Inbound]:
    stmt = (
        select(InboxRow.payload)
        .where(InboxRow.state == PENDING, InboxRow.received_at < older_than)
        .order_by(InboxRow.id)
        .limit(limit)
    )
    return [inbound_from_json(p) for p in (await session.scalars(stmt)).all()]


async def failed_attempt(session: AsyncSession, inbound: Inbound) -> int:
    stmt = (
        update(InboxRow)
        .where(InboxRow.platform == str(inbound.address.platform), InboxRow.message_id == inbound.message_id)
        .values(attempts=InboxRow.attempts + 1)
        .returning(InboxRow.attempts)
    )
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


async def close_inbox(session: AsyncSession, dialect: str, inbound: Inbound, now: datetime) -> bool:
    """Mark the event decided; False when another worker already did (the caller must then write nothing)."""
    platform = str(inbound.address.platform)
    closed = await session.execute(
        update(InboxRow)
        .where(InboxRow.platform == platform, InboxRow.message_id == inbound.message_id, InboxRow.state == PENDING)
        .values(state=DONE, decided_at=now)
        .returning(InboxRow.id)
    )
    if closed.scalar_one_or_none() is not None:
        return True
    # Never accepted (a caller that decides directly): record it as decided, unless it already was.
    inserted = await session.execute(
        insert_for(dialect, InboxRow)
        .values(
            platform=platform,
            message_id=inbound.message_id,
            payload=inbound_to_json(inbound),
            state=DONE,
            attempts=0,
            received_at=now,
            decided_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "message_id"])
        .returning(InboxRow.id)
    )
    return inserted.scalar_one_or_none() is not None


async def queue(session: AsyncSession, turn: TurnWrite, now: datetime, lease: float) -> tuple[OutboxItem, ...]:
    """Insert the turn's outbox items, already claimed by this writer for an immediate first attempt."""
    return await queue_items(session, turn.conversation.key, turn.outbox, now, lease)


async def queue_items(
    session: AsyncSession, key: str, items: Sequence[OutboxItem], now: datetime, lease: float
) -> tuple[OutboxItem, ...]:
    """Insert outbox items of conversation `key` (a decision's or an agent's action), claimed for a first attempt.

    The rows are added to the session and written by the caller's one flush (with the decision and the ticket), so
    the ORM sends each table's rows as one multi-row INSERT … RETURNING instead of one statement per item."""
    rows = [
        OutboxRow(
            key=item.key,
            kind=str(item.kind),
            platform=item.platform,
            conversation_key=key,
            ticket_id=item.ticket_id,
            payload=outbox_payload(item),
            state=PENDING,
            attempts=1,
            next_at=now + timedelta(seconds=lease),
            created_at=now,
            ref="",
            last_error="",
        )
        for item in items
    ]
    session.add_all(rows)
    await session.flush()
    return tuple(replace(item, id=row.id, attempts=1, created_at=now) for item, row in zip(items, rows, strict=True))


async def claim(session: AsyncSession, now: datetime, lease: float, limit: int) -> list[OutboxItem]:
    due = (
        select(OutboxRow.id)
        .where(OutboxRow.state == PENDING, OutboxRow.next_at <= now)
        .order_by(OutboxRow.next_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(OutboxRow)
        .where(OutboxRow.id.in_(due.scalar_subquery()), OutboxRow.state == PENDING, OutboxRow.next_at <= now)
        .values(attempts=OutboxRow.attempts + 1, next_at=now + timedelta(seconds=lease))
        .returning(*_ITEM_COLUMNS)
    )
    rows = (await session.execute(stmt)).all()
    items = [
        outbox_item(
            id=r.id,
            kind=r.kind,
            key=r.key,
            ticket_id=r.ticket_id,
            payload=r.payload,
            attempts=r.attempts,
            created_at=r.created_at,
        )
        for r in rows
    ]
    return sorted(items, key=lambda i: i.id)


async def settle(session: AsyncSession, item_id: int, **values: object) -> None:
    await session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))


def sent_values(ref: str, now: datetime) -> dict[str, object]:
    return {"state": SENT, "ref": ref[:255], "sent_at": now, "last_error": ""}


def failed_values(error: str) -> dict[str, object]:
    return {"state": FAILED, "last_error": error[:2000]}


async def stats(session: AsyncSession) -> OutboxStats:
    pending_count, oldest = (
        await session.execute(
            select(func.count(OutboxRow.id), func.min(OutboxRow.created_at)).where(OutboxRow.state == PENDING)
        )
    ).one()
    failed = await session.scalar(select(func.count(OutboxRow.id)).where(OutboxRow.state == FAILED))
    inbox = await session.scalar(select(func.count(InboxRow.id)).where(InboxRow.state == PENDING))
    return OutboxStats(int(pending_count or 0), int(failed or 0), oldest, int(inbox or 0))


ACCEPT_WAIT = 2.0  # seconds an event may queue for the writer before it is answered 503 (Slack waits 3 s)


class SqlPipeline:
    """The inbox/outbox half of `SqlStore` (mixed in; kept apart so each module stays one job).

    Every write goes through `_write`, the process's group commit (`bot.store.group_commit`): concurrent messages'
    inbox rows, decisions and "sent" marks share transactions."""

    _sessions: async_sessionmaker[AsyncSession]
    _dialect: str
    lease: float = 60.0  # seconds an attempt owns an outbox item before another worker may retry it
    _group: GroupCommit | None = None
    _customers: conversations.CustomerIds

    def _now(self) -> datetime:
        raise NotImplementedError

    def _group_commit(self) -> GroupCommit:
        if self._group is None:
            self._group = GroupCommit(self._sessions)
        return self._group

    async def _write(self, job: Callable[[AsyncSession], Awaitable[T]], wait: float | None = None) -> T:
        return await self._group_commit().run(job, wait)

    async def _accept_many(self, session: AsyncSession, accepted: list[tuple[Inbound, datetime]]) -> list[bool]:
        return await accept_many(session, self._dialect, accepted)

    async def accept(self, inbound: Inbound) -> bool:
        new: bool = await self._group_commit().run_many(self._accept_many, (inbound, self._now()), wait=ACCEPT_WAIT)
        return new

    async def pending_inbound(self, older_than: datetime, limit: int = 100) -> Sequence[Inbound]:
        async with self._sessions() as session:
            return await pending(session, utc(older_than), limit)

    async def inbound_failed(self, inbound: Inbound) -> int:
        return await self._write(lambda session: failed_attempt(session, inbound))

    async def record_turn(self, turn: TurnWrite) -> Recorded | None:
        now = self._now()
        customer = turn.conversation.customer
        saved: list[int] = []

        async def job(session: AsyncSession) -> Recorded | None:
            saved.clear()  # a run of a batch that was rolled back (and is now run again alone) must not count
            if not await close_inbox(session, self._dialect, turn.inbound, now):
                return None
            known = self._customers.get(customer)
            turn.conversation.id, customer_id = await conversations.save(
                session, self._dialect, turn.conversation, now, known
            )
            saved[:] = [customer_id]
            if turn.ticket is not None:
                stored = normalize_ticket(turn.ticket)
                session.add(TicketRow(id=stored.id, **ticket_values(stored)))
            row = decision_row(turn.conversation.key, turn.inbound, turn.decision, turn.team)
            row.delivered = True  # handed to the outbox, whose rows say what was actually sent
            session.add(row)
            items = await queue(session, turn, now, self.lease)  # one flush: ticket, decision and outbox rows
            return Recorded(row.id, items)

        recorded = await self._write(job)
        if saved:  # the last run committed: the customer's row exists
            self._customers.put(customer, saved[0])
        return recorded

    async def claim_outbox(self, now: datetime, lease: float, limit: int = 20) -> Sequence[OutboxItem]:
        return await self._write(lambda session: claim(session, utc(now), lease, limit))

    async def outbox_sent(self, item_id: int, ref: str) -> None:
        await self._group_commit().run_many(sent_many, {"id": item_id, **sent_values(ref, self._now())})

    async def outbox_retry(self, item_id: int, at: datetime, error: str) -> None:
        await self._write(lambda session: settle(session, item_id, next_at=utc(at), last_error=error[:2000]))

    async def outbox_failed(self, item_id: int, error: str) -> None:
        await self._write(lambda session: settle(session, item_id, **failed_values(error)))

    async def outbox_stats(self) -> OutboxStats:
        async with self._sessions() as session:
            return await stats(session)

    async def set_card_ref(self, ticket_id: str, card_ref: str) -> None:
        async def job(session: AsyncSession) -> int:
            result = await session.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(card_ref=card_ref))
            return int(result.rowcount)  # type: ignore[attr-defined]

        if await self._write(job) == 0:  # raised outside the job: a missing ticket must not fail the batch
            raise handoff_not_found(ticket_id)
