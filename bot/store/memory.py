"""`MemoryStore`: the whole `Store` protocol in process memory.

It is the reference semantics the SQL store is tested against (tests/unit/store/test_contract.py) and the fast
store for unit tests. Values are copied in and out so callers cannot mutate stored state by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.core.conversation import Conversation
from bot.core.errors import NotFound, handoff_not_found
from bot.core.ports import Contact, DecisionRecord, FeedbackEntry
from bot.core.types import (
    Actor,
    Address,
    ChannelPolicy,
    Decision,
    HandoffStatus,
    Inbound,
    Role,
    Ticket,
    TraceStep,
)
from bot.store.defaults import ChannelDefaults, ChannelState, resolve_policy, utc, validated_changes
from bot.store.memory_pipeline import MemoryPipeline
from bot.store.records import (
    AdminChange,
    check_feedback,
    contact_of,
    decision_fields,
    normalize_ticket,
    turn_key,
    unsaved_turns,
)

ChannelId = tuple[str, str, str]


def _channel_id(address: Address) -> ChannelId:
    return (str(address.platform), address.workspace, address.channel)


def _copy(conversation: Conversation) -> Conversation:
    return replace(conversation, turns=list(conversation.turns))


class MemoryStore(MemoryPipeline):
    """Implements `bot.core.ports.Store` with dicts; one instance is one database."""

    def __init__(self, defaults: ChannelDefaults | None = None, *, clock: Callable[[], datetime] | None = None):
        self.defaults = defaults or ChannelDefaults()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._deliveries: set[tuple[str, str]] = set()
        self._conversations: dict[str, Conversation] = {}
        self._conversation_ids = 0
        self._saved_at: dict[str, datetime] = {}
        self._channels: dict[ChannelId, ChannelState] = {}
        self._customer_vip: dict[str, bool] = {}
        self._org_vip: dict[str, bool] = {}
        self._decisions: dict[int, DecisionRecord] = {}
        self._traces: dict[int, tuple[TraceStep, ...]] = {}
        self._tickets: dict[str, Ticket] = {}
        self._feedback: list[FeedbackEntry] = []
        self._admin_changes: list[AdminChange] = []
        self._settings: dict[str, str] = {}

    # --- delivery de-duplication -------------------------------------------------------------------------------

    async def first_delivery(self, platform: str, message_id: str) -> bool:
        key = (str(platform), message_id)
        if key in self._deliveries:
            return False
        self._deliveries.add(key)
        return True

    # --- conversations -----------------------------------------------------------------------------------------

    async def load_conversation(self, key: str) -> Conversation | None:
        stored = self._conversations.get(key)
        return None if stored is None else _copy(stored)

    async def save_conversation(self, conversation: Conversation) -> None:
        if conversation.id is None:
            existing = self._conversations.get(conversation.key)
            if existing is not None:
                conversation.id = existing.id
            else:
                self._conversation_ids += 1
                conversation.id = self._conversation_ids
        stored = self._conversations.get(conversation.key)
        copy = _copy(conversation)
        if stored is not None:  # append-only turns: keep what another writer saved meanwhile (see records)
            copy.turns = stored.turns + unsaved_turns(map(turn_key, stored.turns), conversation.turns)
        self._conversations[conversation.key] = copy
        self._saved_at.pop(conversation.key, None)  # re-inserted last: dicts keep insertion order for ties
        self._saved_at[conversation.key] = utc(self._clock())

    # --- channels and VIPs -------------------------------------------------------------------------------------

    async def channel_policy(self, address: Address, now: datetime) -> ChannelPolicy:
        state = self._channels.get(_channel_id(address))
        if state is None:
            state = ChannelState(created=utc(now).date())
            self._channels[_channel_id(address)] = state
        return resolve_policy(self.defaults, address, state, now)

    async def set_channel(self, address: Address, **changes: object) -> None:
        values = validated_changes(changes)
        state = self._channels.get(_channel_id(address)) or ChannelState(created=utc(self._clock()).date())
        self._channels[_channel_id(address)] = replace(state, **values)

    async def is_vip(self, actor: Actor) -> bool:
        person = self._customer_vip.get(actor.id, actor.id in self.defaults.vip_customers)
        org = bool(actor.org) and self._org_vip.get(actor.org, actor.org in self.defaults.vip_orgs)
        return person or org

    async def set_vip(self, subject: str, vip: bool) -> None:
        # The subject may be a person or an org; the flag applies to whichever id matches (MISSION §11).
        self._customer_vip[subject] = vip
        self._org_vip[subject] = vip

    # --- decisions ---------------------------------------------------------------------------------------------

    async def record_decision(
        self, conversation_key: str, inbound: Inbound, decision: Decision, *, team: str = ""
    ) -> int:
        fields = decision_fields(decision, inbound)
        decision_id = len(self._decisions) + 1
        self._decisions[decision_id] = DecisionRecord(
            id=decision_id,
            conversation_key=conversation_key,
            message_id=inbound.message_id,
            kind=fields.kind,
            reason=fields.reason,
            confidence=fields.confidence,
            language=fields.language,
            article_ids=fields.article_ids,
            at=utc(inbound.received_at),
            text=inbound.text,
            reply=fields.reply,
            delivered=fields.delivered,
            team=team,
            channel=inbound.address.channel,
            input_tokens=fields.usage.input_tokens,
            output_tokens=fields.usage.output_tokens,
            cost_usd=fields.usage.cost_usd,
        )
        self._traces[decision_id] = fields.trace
        return decision_id

    async def mark_delivered(self, decision_id: int) -> None:
        record = self._decisions.get(decision_id)
        if record is None:
            raise NotFound(f"no decision with id {decision_id}")
        self._decisions[decision_id] = replace(record, delivered=True)

    async def undelivered(self, older_than: datetime) -> Sequence[DecisionRecord]:
        cutoff = utc(older_than)
        return [d for d in self._decisions.values() if not d.delivered and d.at < cutoff]

    async def decisions(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[DecisionRecord]:
        start, end = (None if since is None else utc(since)), (None if until is None else utc(until))
        return [
            d for d in self._decisions.values() if (start is None or d.at >= start) and (end is None or d.at < end)
        ]

    async def trace(self, decision_id: int) -> tuple[TraceStep, ...]:
        """The steps that led to a stored decision (for the dashboard and the failure list)."""
        if decision_id not in self._traces:
            raise NotFound(f"no decision with id {decision_id}")
        return self._traces[decision_id]

    # --- tickets -----------------------------------------------------------------------------------------------

    async def open_ticket(self, ticket: Ticket) -> Ticket:
        stored = normalize_ticket(
            replace(ticket, id=ticket.id or uuid.uuid4().hex, created_at=ticket.created_at or self._clock())
        )
        if stored.id in self._tickets:
            raise ValueError(f"a ticket with id {stored.id} already exists")
        self._tickets[stored.id] = stored
        return stored

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self._tickets.get(ticket_id)

    async def update_ticket(self, ticket: Ticket) -> None:
        if ticket.id not in self._tickets:
            raise handoff_not_found(ticket.id)
        self._tickets[ticket.id] = normalize_ticket(ticket)

    async def tickets(self, status: HandoffStatus | None = None) -> Sequence[Ticket]:
        found = [t for t in self._tickets.values() if status is None or t.status is status]
        return sorted(found, key=lambda t: t.created_at or datetime.min.replace(tzinfo=UTC))

    # --- feedback, audit, settings -----------------------------------------------------------------------------

    async def add_feedback(self, entry: FeedbackEntry) -> None:
        check_feedback(entry)
        self._feedback.append(replace(entry, at=utc(entry.at)))

    async def feedback(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[FeedbackEntry]:
        start, end = (None if since is None else utc(since)), (None if until is None else utc(until))
        return [f for f in self._feedback if (start is None or f.at >= start) and (end is None or f.at < end)]

    async def contacts(self) -> Sequence[Contact]:
        latest: dict[ChannelId, Contact] = {}
        # Saved order is updated order (the SQL store sorts by updated_at, then id, the same way).
        for key in sorted(self._saved_at, key=lambda k: self._saved_at[k]):
            c = self._conversations[key]
            if c.customer.role is Role.CUSTOMER:
                latest[_channel_id(c.address)] = contact_of(c, self._saved_at[key])
        return [latest[k] for k in sorted(latest)]

    async def record_admin_change(self, actor_id: str, what: str, at: datetime) -> None:
        self._admin_changes.append(AdminChange(actor_id, what, utc(at)))

    async def admin_changes(self, since: datetime | None = None) -> Sequence[AdminChange]:
        cutoff = None if since is None else utc(since)
        return [c for c in self._admin_changes if cutoff is None or c.at >= cutoff]

    async def get_setting(self, key: str, *, max_age: float = 0.0) -> str | None:
        return self._settings.get(key)  # always current: memory is read in place

    async def put_setting(self, key: str, value: str) -> None:
        self._settings[key] = value
