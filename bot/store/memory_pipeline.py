"""The inbox and outbox in process memory: the reference semantics `SqlPipeline` is tested against."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.conversation import Conversation, conversation_key
from bot.core.errors import handoff_not_found
from bot.core.outbox import ActionWrite, OutboxItem, OutboxStats, Recorded, TurnWrite
from bot.core.types import Decision, Inbound, Ticket
from bot.store.defaults import utc
from bot.store.queue_records import DONE, FAILED, PENDING, SENT


@dataclass(slots=True)
class _Inbox:
    inbound: Inbound
    received_at: datetime
    state: str = PENDING
    attempts: int = 0


@dataclass(slots=True)
class _Outbox:
    item: OutboxItem
    next_at: datetime
    state: str = PENDING
    ref: str = ""
    error: str = ""


class MemoryPipeline:
    """Mixed into `MemoryStore`. Every method runs without awaiting, so each is atomic on the event loop."""

    _clock: Callable[[], datetime]
    _tickets: dict[str, Ticket]
    lease: float = 60.0

    def _pipeline(self) -> tuple[dict[tuple[str, str], _Inbox], dict[int, _Outbox]]:
        if not hasattr(self, "_inbox_rows"):
            self._inbox_rows: dict[tuple[str, str], _Inbox] = {}
            self._outbox_rows: dict[int, _Outbox] = {}
        return self._inbox_rows, self._outbox_rows

    async def save_conversation(self, conversation: Conversation) -> None:
        raise NotImplementedError

    async def record_decision(
        self, conversation_key: str, inbound: Inbound, decision: Decision, *, team: str = ""
    ) -> int:
        raise NotImplementedError

    async def mark_delivered(self, decision_id: int) -> None:
        raise NotImplementedError

    async def open_ticket(self, ticket: Ticket) -> Ticket:
        raise NotImplementedError

    async def update_ticket(self, ticket: Ticket) -> None:
        raise NotImplementedError

    async def accept(self, inbound: Inbound) -> bool:
        inbox, _ = self._pipeline()
        key = (str(inbound.address.platform), inbound.message_id)
        if key in inbox:
            return False
        inbox[key] = _Inbox(inbound, utc(self._clock()))
        return True

    async def pending_inbound(self, older_than: datetime, limit: int = 100) -> Sequence[Inbound]:
        inbox, _ = self._pipeline()
        cutoff = utc(older_than)
        return [r.inbound for r in inbox.values() if r.state == PENDING and r.received_at < cutoff][:limit]

    async def inbound_failed(self, inbound: Inbound) -> int:
        inbox, _ = self._pipeline()
        row = inbox.get((str(inbound.address.platform), inbound.message_id))
        if row is None:
            return 0
        row.attempts += 1
        return row.attempts

    async def record_turn(self, turn: TurnWrite) -> Recorded | None:
        inbox, outbox = self._pipeline()
        key = (str(turn.inbound.address.platform), turn.inbound.message_id)
        row = inbox.get(key)
        if row is not None and row.state != PENDING:
            return None
        now = utc(self._clock())
        inbox[key] = _Inbox(turn.inbound, row.received_at if row else now, DONE, row.attempts if row else 0)
        if turn.ticket is not None:
            await self.open_ticket(turn.ticket)
        await self.save_conversation(turn.conversation)
        decision_id = await self.record_decision(turn.conversation.key, turn.inbound, turn.decision, team=turn.team)
        await self.mark_delivered(decision_id)  # handed to the outbox, whose rows say what was actually sent
        queued = []
        for item in turn.outbox:
            if any(o.item.key == item.key for o in outbox.values()):
                raise ValueError(f"outbox key {item.key!r} already queued")
            stored = replace(item, id=len(outbox) + 1, attempts=1, created_at=now)
            outbox[stored.id] = _Outbox(stored, now + timedelta(seconds=self.lease))
            queued.append(stored)
        return Recorded(decision_id, tuple(queued))

    async def earlier_pending(self, inbound: Inbound) -> Sequence[Inbound]:
        inbox, _ = self._pipeline()
        key = conversation_key(inbound.address)
        mine = (str(inbound.address.platform), inbound.message_id)
        before: list[Inbound] = []
        for at, row in inbox.items():  # insertion order is acceptance order
            if at == mine:
                return before if row.state == PENDING else []
            if row.state == PENDING and conversation_key(row.inbound.address) == key:
                before.append(row.inbound)
        return []

    async def record_action(self, action: ActionWrite) -> tuple[OutboxItem, ...]:
        if action.ticket is not None:
            await self.update_ticket(action.ticket)
        if action.conversation is not None:
            await self.save_conversation(action.conversation)
        return self._queue(action.outbox)

    def _queue(self, items: Sequence[OutboxItem]) -> tuple[OutboxItem, ...]:
        _, outbox = self._pipeline()
        now = utc(self._clock())
        queued = []
        for item in items:
            if any(o.item.key == item.key for o in outbox.values()):
                raise ValueError(f"outbox key {item.key!r} already queued")
            stored = replace(item, id=len(outbox) + 1, attempts=1, created_at=now)
            outbox[stored.id] = _Outbox(stored, now + timedelta(seconds=self.lease))
            queued.append(stored)
        return tuple(queued)

    async def claim_outbox(self, now: datetime, lease: float, limit: int = 20) -> Sequence[OutboxItem]:
        _, outbox = self._pipeline()
        at = utc(now)
        due = sorted((r for r in outbox.values() if r.state == PENDING and r.next_at <= at), key=lambda r: (r.next_at, r.item.id))
        claimed = []
        for row in due[:limit]:
            row.item = replace(row.item, attempts=row.item.attempts + 1)
            row.next_at = at + timedelta(seconds=lease)
            claimed.append(row.item)
        return sorted(claimed, key=lambda i: i.id)

    def _row(self, item_id: int) -> _Outbox:
        return self._pipeline()[1][item_id]

    async def outbox_sent(self, item_id: int, ref: str) -> None:
        row = self._row(item_id)
        row.state, row.ref, row.error = SENT, ref, ""

    async def outbox_retry(self, item_id: int, at: datetime, error: str) -> None:
        row = self._row(item_id)
        row.next_at, row.error = utc(at), error

    async def outbox_failed(self, item_id: int, error: str) -> None:
        row = self._row(item_id)
        row.state, row.error = FAILED, error

    async def outbox_stats(self) -> OutboxStats:
        inbox, outbox = self._pipeline()
        pending = [r for r in outbox.values() if r.state == PENDING]
        oldest = min((r.item.created_at for r in pending if r.item.created_at), default=None)
        failed = sum(1 for r in outbox.values() if r.state == FAILED)
        waiting = sum(1 for r in inbox.values() if r.state == PENDING)
        return OutboxStats(len(pending), failed, oldest, waiting)

    async def set_card_ref(self, ticket_id: str, card_ref: str) -> None:
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            raise handoff_not_found(ticket_id)
        self._tickets[ticket_id] = replace(ticket, card_ref=card_ref)
