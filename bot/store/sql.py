"""`SqlStore`: the `Store` protocol on SQLAlchemy 2 async, for SQLite (default) and PostgreSQL (replicas).

Writes that several replicas may race on (the delivery key, a channel's first sighting, customers, settings) use
INSERT … ON CONFLICT so the database, not the process, decides who was first. Conversation rows and their turns are
in `bot.store.sql_conversations`; the schema is `bot.store.models`, created by the Alembic migrations.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from bot.core.conversation import Conversation
from bot.core.errors import NotFound, handoff_not_found
from bot.core.ports import Contact, DecisionRecord, FeedbackEntry
from bot.core.types import (
    Actor,
    Address,
    Audience,
    ChannelPolicy,
    Decision,
    HandoffStatus,
    Inbound,
    Mode,
    Platform,
    Role,
    Ticket,
    TraceStep,
)
from bot.store import sql_conversations as conversations
from bot.store.defaults import ChannelDefaults, ChannelState, resolve_policy, utc, validated_changes
from bot.store.engine import make_engine
from bot.store.models import (
    AdminChangeRow,
    Channel,
    ConversationRow,
    Customer,
    DecisionRow,
    Delivery,
    FeedbackRow,
    Org,
    Setting,
    TicketRow,
)
from bot.store.records import (
    AdminChange,
    check_feedback,
    frozen,
    normalize_ticket,
    trace_from_json,
)
from bot.store.sql_rows import decision_record, decision_row, feedback_entry, ticket_from_row, ticket_values
from bot.store.sql_shared import SqlShared
from bot.store.upsert import insert_for

CACHE_SECONDS = 5.0
CACHE_ENTRIES = 10_000


class SqlStore(SqlShared):
    """Implements `bot.core.ports.Store` on a database URL. The schema must exist (`bot.store.migrate.upgrade`)."""

    def __init__(
        self, url: str, defaults: ChannelDefaults | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.defaults = defaults or ChannelDefaults()
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._dialect = self.engine.dialect.name
        # Read on every message, changed by admins only: cached per process, dropped here on a change, and at most
        # CACHE_SECONDS stale when another replica made the change.
        self._channel_cache: dict[tuple[str, str, str], tuple[ChannelState, float]] = {}
        self._vip_cache: dict[tuple[str, str], tuple[bool, float]] = {}
        self._customers = conversations.CustomerIds()  # see record_turn
        self._setting_cache: dict[str, tuple[str | None, float]] = {}  # key -> (value, when read); see get_setting

    async def close(self) -> None:
        await self.engine.dispose()

    def _now(self) -> datetime:
        return utc(self._clock())

    # --- delivery de-duplication -------------------------------------------------------------------------------

    async def first_delivery(self, platform: str, message_id: str) -> bool:
        stmt = (
            insert_for(self._dialect, Delivery)
            .values(platform=str(platform), message_id=message_id, seen_at=self._now())
            .on_conflict_do_nothing(index_elements=["platform", "message_id"])
            .returning(Delivery.id)
        )
        async with self._sessions.begin() as session:
            # RETURNING yields a row only when this insert won; rowcount is unreliable on async drivers.
            inserted = (await session.execute(stmt)).scalar_one_or_none()
        return inserted is not None

    # --- conversations -----------------------------------------------------------------------------------------

    async def load_conversation(self, key: str) -> Conversation | None:
        async with self._sessions() as session:
            return await conversations.load(session, key)

    async def save_conversation(self, conversation: Conversation) -> None:
        async with self._sessions.begin() as session:
            conversation.id, _ = await conversations.save(session, self._dialect, conversation, self._now())

    # --- channels and VIPs -------------------------------------------------------------------------------------

    async def _channel(self, session: AsyncSession, address: Address, created: datetime) -> Channel:
        where = (
            Channel.platform == str(address.platform),
            Channel.workspace == address.workspace,
            Channel.channel_id == address.channel,
        )
        row = (await session.execute(select(Channel).where(*where))).scalar_one_or_none()
        if row is None:
            await session.execute(
                insert_for(self._dialect, Channel)
                .values(
                    platform=str(address.platform),
                    workspace=address.workspace,
                    channel_id=address.channel,
                    explicit_mode=False,
                    paused=False,
                    created=utc(created).date(),
                    updated_at=self._now(),
                )
                .on_conflict_do_nothing(index_elements=["platform", "workspace", "channel_id"])
            )
            row = (await session.execute(select(Channel).where(*where))).scalar_one()
        return row

    async def channel_policy(self, address: Address, now: datetime) -> ChannelPolicy:
        key = (str(address.platform), address.workspace, address.channel)
        cached = self._channel_cache.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return resolve_policy(self.defaults, address, cached[0], now)
        async with self._sessions.begin() as session:
            row = await self._channel(session, address, now)
            state = ChannelState(
                created=row.created,
                mode=None if row.mode is None else Mode(row.mode),
                threshold=row.threshold,
                team=row.team,
                ai_share=row.ai_share,
                paused=row.paused,
                audience=None if row.audience is None else Audience(row.audience),
            )
        self._channel_cache[key] = (state, time.monotonic() + CACHE_SECONDS)
        return resolve_policy(self.defaults, address, state, now)

    async def set_channel(self, address: Address, **changes: object) -> None:
        values = validated_changes(changes)
        if "mode" in values:
            values["explicit_mode"] = values["mode"] is not None
        for name in ("mode", "audience"):
            if values.get(name) is not None:
                values[name] = str(values[name])
        async with self._sessions.begin() as session:
            row = await self._channel(session, address, self._clock())
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self._now()
        self._channel_cache.pop((str(address.platform), address.workspace, address.channel), None)

    async def is_vip(self, actor: Actor) -> bool:
        key = (actor.id, actor.org)
        cached = self._vip_cache.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        vip = await self._is_vip(actor)
        if len(self._vip_cache) > CACHE_ENTRIES:
            self._vip_cache.clear()
        self._vip_cache[key] = (vip, time.monotonic() + CACHE_SECONDS)
        return vip

    async def _is_vip(self, actor: Actor) -> bool:
        async with self._sessions() as session:
            person = await session.scalar(select(Customer.vip).where(Customer.external_id == actor.id))
            org = None
            if actor.org:
                org = await session.scalar(select(Org.vip).where(Org.external_id == actor.org))
        person_vip = actor.id in self.defaults.vip_customers if person is None else person
        org_vip = bool(actor.org) and (actor.org in self.defaults.vip_orgs if org is None else org)
        return person_vip or org_vip

    async def set_vip(self, subject: str, vip: bool) -> None:
        self._vip_cache.clear()
        now = self._now()
        async with self._sessions.begin() as session:
            people = await session.execute(update(Customer).where(Customer.external_id == subject).values(vip=vip))
            orgs = await session.execute(update(Org).where(Org.external_id == subject).values(vip=vip))
            if people.rowcount or orgs.rowcount:  # type: ignore[attr-defined]
                return
            # Never seen yet, so we cannot tell a person's id from an org's: flag both, whichever shows up uses it.
            for model in (Customer, Org):
                await session.execute(
                    insert_for(self._dialect, model)
                    .values(external_id=subject, vip=vip, first_seen=now, last_seen=now)
                    .on_conflict_do_update(index_elements=["external_id"], set_={"vip": vip})
                )

    # --- decisions ---------------------------------------------------------------------------------------------

    async def record_decision(
        self, conversation_key: str, inbound: Inbound, decision: Decision, *, team: str = ""
    ) -> int:
        row = decision_row(conversation_key, inbound, decision, team)
        async with self._sessions.begin() as session:
            session.add(row)
            await session.flush()
            return row.id

    async def mark_delivered(self, decision_id: int) -> None:
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(DecisionRow).where(DecisionRow.id == decision_id).values(delivered=True)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound(f"no decision with id {decision_id}")

    async def undelivered(self, older_than: datetime) -> Sequence[DecisionRecord]:
        stmt = select(DecisionRow).where(DecisionRow.delivered.is_(False), DecisionRow.at < utc(older_than))
        async with self._sessions() as session:
            return [decision_record(r) for r in (await session.scalars(stmt.order_by(DecisionRow.id))).all()]

    async def decisions(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[DecisionRecord]:
        # The trace is not part of a DecisionRecord: leave it in the database (it is most of a row's bytes).
        stmt = select(DecisionRow).options(defer(DecisionRow.trace)).order_by(DecisionRow.id)
        if since is not None:
            stmt = stmt.where(DecisionRow.at >= utc(since))
        if until is not None:
            stmt = stmt.where(DecisionRow.at < utc(until))
        async with self._sessions() as session:
            return [decision_record(r) for r in (await session.scalars(stmt)).all()]

    async def trace(self, decision_id: int) -> tuple[TraceStep, ...]:
        """The steps that led to a stored decision (for the dashboard and the failure list)."""
        async with self._sessions() as session:
            row = await session.get(DecisionRow, decision_id)
        if row is None:
            raise NotFound(f"no decision with id {decision_id}")
        return trace_from_json(row.trace)

    # --- tickets -----------------------------------------------------------------------------------------------

    async def open_ticket(self, ticket: Ticket) -> Ticket:
        stored = normalize_ticket(
            replace(ticket, id=ticket.id or uuid.uuid4().hex, created_at=ticket.created_at or self._clock())
        )
        try:
            async with self._sessions.begin() as session:
                session.add(TicketRow(id=stored.id, **ticket_values(stored)))
        except IntegrityError:
            raise ValueError(f"a ticket with id {stored.id} already exists") from None
        return stored

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        async with self._sessions() as session:
            row = await session.get(TicketRow, ticket_id)
        return None if row is None else ticket_from_row(row)

    async def update_ticket(self, ticket: Ticket) -> None:
        values = ticket_values(normalize_ticket(ticket))
        async with self._sessions.begin() as session:
            result = await session.execute(update(TicketRow).where(TicketRow.id == ticket.id).values(**values))
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise handoff_not_found(ticket.id)

    async def tickets(self, status: HandoffStatus | None = None) -> Sequence[Ticket]:
        stmt = select(TicketRow).order_by(TicketRow.created_at, TicketRow.id)
        if status is not None:
            stmt = stmt.where(TicketRow.status == str(status))
        async with self._sessions() as session:
            return [ticket_from_row(r) for r in (await session.scalars(stmt)).all()]

    # --- feedback, audit, settings -----------------------------------------------------------------------------

    async def add_feedback(self, entry: FeedbackEntry) -> None:
        check_feedback(entry)
        async with self._sessions.begin() as session:
            session.add(
                FeedbackRow(
                    kind=entry.kind,
                    conversation_key=entry.conversation_key,
                    actor_id=entry.actor_id,
                    at=utc(entry.at),
                    helpful=entry.helpful,
                    score=entry.score,
                    rewrote=entry.rewrote,
                    edited_text=entry.edited_text,
                    reason=entry.reason,
                    decision_id=entry.decision_id,
                    article_ids=list(entry.article_ids),
                )
            )

    async def feedback(self, since: datetime | None = None, until: datetime | None = None) -> Sequence[FeedbackEntry]:
        stmt = select(FeedbackRow).order_by(FeedbackRow.id)
        if since is not None:
            stmt = stmt.where(FeedbackRow.at >= utc(since))
        if until is not None:
            stmt = stmt.where(FeedbackRow.at < utc(until))
        async with self._sessions() as session:
            return [feedback_entry(r) for r in (await session.scalars(stmt)).all()]

    async def contacts(self) -> Sequence[Contact]:
        stmt = (
            select(ConversationRow, Org.external_id)
            .join(Customer, Customer.id == ConversationRow.customer_id)
            .outerjoin(Org, Org.id == Customer.org_id)
            .where(Customer.role == str(Role.CUSTOMER))
            .order_by(ConversationRow.updated_at, ConversationRow.id)
        )
        latest: dict[tuple[str, str, str], Contact] = {}
        async with self._sessions() as session:
            for row, org in (await session.execute(stmt)).all():
                address = Address(Platform(row.platform), row.workspace, row.channel, None, row.is_dm, frozen(row.opaque))
                latest[(row.platform, row.workspace, row.channel)] = Contact(address, org or "", row.language, row.updated_at)
        return [latest[k] for k in sorted(latest)]

    async def record_admin_change(self, actor_id: str, what: str, at: datetime) -> None:
        async with self._sessions.begin() as session:
            session.add(AdminChangeRow(actor_id=actor_id, what=what, at=utc(at)))

    async def admin_changes(self, since: datetime | None = None) -> Sequence[AdminChange]:
        stmt = select(AdminChangeRow).order_by(AdminChangeRow.id)
        if since is not None:
            stmt = stmt.where(AdminChangeRow.at >= utc(since))
        async with self._sessions() as session:
            return [AdminChange(r.actor_id, r.what, r.at) for r in (await session.scalars(stmt)).all()]

    async def get_setting(self, key: str, *, max_age: float = 0.0) -> str | None:
        cached = self._setting_cache.get(key) if max_age > 0 else None
        if cached is not None and time.monotonic() - cached[1] <= max_age:
            return cached[0]
        async with self._sessions() as session:
            value = await session.scalar(select(Setting.value).where(Setting.key == key))
        if max_age > 0:
            if len(self._setting_cache) > CACHE_ENTRIES:
                self._setting_cache.clear()
            self._setting_cache[key] = (value, time.monotonic())
        return value

    async def put_setting(self, key: str, value: str) -> None:
        now = self._now()
        async with self._sessions.begin() as session:
            await session.execute(
                insert_for(self._dialect, Setting)
                .values(key=key, value=value, updated_at=now)
                .on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now})
            )
        self._setting_cache.pop(key, None)  # after the commit: this process's next read sees the new value
