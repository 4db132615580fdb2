"""What replicas need beyond the inbox and outbox (mixed into `SqlStore`): a conversation's earlier pending events,
and an agent action written with its outbox items in one transaction.

Kept apart from `bot.store.sql_pipeline` (the decision's hot path) so each module stays one job; both write outbox
rows the same way, already claimed by the writer for an immediate first attempt.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation import conversation_key
from bot.core.errors import handoff_not_found
from bot.core.outbox import ActionWrite, OutboxItem
from bot.core.types import Inbound
from bot.store import sql_conversations as conversations
from bot.store.models import InboxRow, TicketRow
from bot.store.queue_records import PENDING, inbound_from_json
from bot.store.records import normalize_ticket
from bot.store.sql_pipeline import SqlPipeline, queue_items
from bot.store.sql_rows import ticket_values


async def earlier_pending(session: AsyncSession, inbound: Inbound) -> list[Inbound]:
    """The conversation's pending events accepted before `inbound` ([] when `inbound` itself is not pending)."""
    rows = (
        await session.execute(
            select(InboxRow.platform, InboxRow.message_id, InboxRow.payload)
            .where(InboxRow.conversation_key == conversation_key(inbound.address), InboxRow.state == PENDING)
            .order_by(InboxRow.id)
        )
    ).all()
    mine = (str(inbound.address.platform), inbound.message_id)
    before: list[Inbound] = []
    for row in rows:
        if (row.platform, row.message_id) == mine:
            return before
        before.append(inbound_from_json(row.payload))
    return []




class SqlShared(SqlPipeline):
    """The replicas' part of `SqlStore` (its sessions, dialect, clock and SQLite writer queue are the pipeline's)."""

    async def earlier_pending(self, inbound: Inbound) -> Sequence[Inbound]:
        async with self._sessions() as session:
            return await earlier_pending(session, inbound)

    async def record_action(self, action: ActionWrite) -> tuple[OutboxItem, ...]:
        now = self._now()

        async def job(session: AsyncSession) -> tuple[OutboxItem, ...]:
            if action.conversation is not None:
                conversation = action.conversation
                conversation.id, _customer_id = await conversations.save(session, self._dialect, conversation, now)
            if action.ticket is not None:
                values = ticket_values(normalize_ticket(action.ticket))
                result = await session.execute(update(TicketRow).where(TicketRow.id == action.ticket.id).values(**values))
                if result.rowcount == 0:  # type: ignore[attr-defined]
                    raise handoff_not_found(action.ticket.id)
            return await queue_items(session, action.conversation_key, action.outbox, now, self.lease)

        return await self._write(job)  # the process's group commit, like every other pipeline write
