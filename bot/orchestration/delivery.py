"""The outbox worker: delivers what decisions queued, with retries, and marks each item sent on its own.

Platform-neutral: an item names its platform, and the adapters' registered `Outbox` / `AgentDesk` (the same maps
the desk uses) do the sending. The first attempt is made at once by the process that decided (items are written
already claimed by it); a failed or interrupted attempt is retried by any replica's worker after exponential backoff
with jitter, or after the platform's own Retry-After. A retry whose earlier attempt may have gone out asks the
adapter first (`SentLookup`), so a crash between posting and marking sent does not post twice. A card that cannot
be posted after its retries goes to the default agents channel and the admins are told (`FallbackDesk`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.core.errors import DeliveryError
from bot.core.outbox import FallbackDesk, OutboxItem, OutboxKind, SentLookup
from bot.core.ports import AgentDesk, Outbox, Store
from bot.core.types import Platform, Ticket
from bot.orchestration.fallback import reply_undeliverable

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """One line about a failure, safe whatever the exception carries (never raises itself)."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the error path
        text = ""
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: base·2^(n-1), capped, times a random factor in [0.5, 1]."""

    base: float = 1.0
    cap: float = 300.0
    attempts: int = 8  # then the item is given up (a card goes to the fallback channel)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.cap)
        return float(min(self.cap, self.base * 2.0 ** max(0, attempt - 1)) * random.uniform(0.5, 1.0))


@dataclass(slots=True)
class DeliveryStats:
    """Counters since start (read by /metrics and /readyz)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0
    deduplicated: int = 0  # retries that found their message already posted


@dataclass(slots=True)
class Delivery:
    store: Store
    outboxes: Mapping[Platform, Outbox]
    desks: Mapping[Platform, AgentDesk]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    backoff: Backoff = field(default_factory=Backoff)
    lease: float = 60.0  # an attempt's claim; longer than a send can take (the Slack client times out first)
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    on_sent: Callable[[OutboxItem], None] | None = None  # metrics hook (reply latency)

    async def deliver(self, items: Iterable[OutboxItem], tickets: Mapping[str, Ticket] | None = None) -> None:
        """Attempt `items` in order (one conversation's reply before its card); failures are scheduled, not raised.

        The outcomes are recorded together after the sends: a turn's "sent" marks and its card's reference are one
        write (in a burst, one of the group commit's batches), not one per item. Until then an item stays claimed;
        if the process dies first, its retry looks the message up before posting (`SentLookup`), as after any
        crash between a post and its mark. `tickets`: the ones the caller has just written (the decision's), so the
        first attempt does not read back what was written a moment ago.
        """
        outcomes: list[Awaitable[None]] = []
        try:
            for item in items:
                if item.kind is OutboxKind.CARD_UPDATE and outcomes:
                    await self._record(outcomes)  # the update needs the card reference its card's outcome writes
                    outcomes = []
                outcomes.extend(await self._attempt(item, tickets or {}))
        finally:
            await self._record(outcomes)

    async def run_once(self, limit: int = 50) -> int:
        """Claim due items and deliver them: conversations in parallel, each conversation's items in order."""
        items = await self.store.claim_outbox(self.clock(), self.lease, limit)
        by_thread: dict[tuple[str, str, str | None], list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_thread[(item.platform, item.address.channel, item.address.thread)].append(item)
        await asyncio.gather(*(self.deliver(group) for group in by_thread.values()))
        return len(items)

    async def attempt(self, item: OutboxItem) -> None:
        await self.deliver((item,))

    async def _attempt(self, item: OutboxItem, tickets: Mapping[str, Ticket]) -> list[Awaitable[None]]:
        """Send one item; the writes recording its success, for the caller to make together with the others'."""
        writes: list[Awaitable[None]] = []
        try:
            ref = await self._send(item, tickets, writes)
        except Exception as exc:  # noqa: BLE001 - every failure is scheduled for a retry or a fallback
            await self._failed(item, exc)
            return []
        return [*writes, self._settle(self.store.outbox_sent(item.id, ref), item, sent=True)]

    async def _record(self, writes: list[Awaitable[None]]) -> None:
        if writes:
            await asyncio.gather(*writes)  # issued together, so the group commit takes them in one transaction

    # -- sending ------------------------------------------------------------------------------------------------

    async def _send(self, item: OutboxItem, tickets: Mapping[str, Ticket], writes: list[Awaitable[None]]) -> str:
        platform = Platform(item.platform)
        match item.kind:
            case OutboxKind.REPLY:
                outbox = self.outboxes.get(platform)
                if outbox is None or item.reply is None:
                    raise DeliveryError(f"nothing can send {platform} replies in this process", permanent=True)
                found = await self._already_sent(outbox, item, None)
                if found:
                    return found
                return await outbox.send(item.address, replace(item.reply, idempotency_key=item.key))
            case OutboxKind.CARD:
                desk = self._desk(platform)
                ticket = tickets.get(item.ticket_id) if item.attempts <= 1 else None
                ticket = ticket or await self._ticket(item)
                found = await self._already_sent(desk, item, ticket)
                ref = found or await desk.post(ticket)
                if ref:
                    writes.append(self._settle(self.store.set_card_ref(ticket.id, ref), item))
                return ref
            case OutboxKind.CARD_UPDATE:
                desk, ticket = self._desk(platform), await self._ticket(item)
                if not ticket.card_ref:
                    raise DeliveryError("the card is not posted yet", retry_after=self.backoff.base)
                await desk.update(ticket)
                return ticket.card_ref
            case OutboxKind.AGENT_NOTE:
                desk, ticket = self._desk(platform), await self._ticket(item)
                if not ticket.card_ref:
                    raise DeliveryError("the card is not posted yet", retry_after=self.backoff.base)
                if item.reply is not None and not await self._already_sent(desk, item, ticket):
                    await desk.ask(ticket, replace(item.reply, idempotency_key=item.key))
                return ticket.card_ref

    async def _already_sent(self, target: object, item: OutboxItem, ticket: Ticket | None) -> str | None:
        if item.attempts <= 1 or not isinstance(target, SentLookup):
            return None  # a first attempt: nothing can have gone out yet
        found = await target.already_sent(item, ticket)
        if found:
            log.info("outbox item %s was already posted (%s); not posting it again", item.key, found)
            self.stats.deduplicated += 1
        return found

    def _desk(self, platform: Platform) -> AgentDesk:
        desk = self.desks.get(platform)
        if desk is None:
            raise DeliveryError(f"nothing can post {platform} cards in this process", permanent=True)
        return desk

    async def _ticket(self, item: OutboxItem) -> Ticket:
        ticket = await self.store.get_ticket(item.ticket_id)
        if ticket is None:
            raise DeliveryError(f"handoff {item.ticket_id} no longer exists", permanent=True)
        return ticket

    # -- failures -----------------------------------------------------------------------------------------------

    async def _failed(self, item: OutboxItem, exc: Exception) -> None:
        error = describe(exc)
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        if permanent or item.attempts >= self.backoff.attempts:
            await self._give_up(item, error)
            return
        retry_after = exc.retry_after if isinstance(exc, DeliveryError) else None
        delay = self.backoff.delay(item.attempts, retry_after)
        log.warning("sending %s %s failed (attempt %d, retry in %.1f s): %s", item.kind, item.key, item.attempts, delay, error)
        self.stats.retried += 1
        await self._settle(self.store.outbox_retry(item.id, self.clock() + timedelta(seconds=delay), error), item)

    async def _give_up(self, item: OutboxItem, error: str) -> None:
        if item.kind is OutboxKind.CARD:
            desk = self.desks.get(Platform(item.platform))
            ticket = await self.store.get_ticket(item.ticket_id)
            if isinstance(desk, FallbackDesk) and ticket is not None:
                try:
                    ref = await desk.undeliverable(ticket, error)
                    await self.store.set_card_ref(ticket.id, ref)
                except Exception as exc:  # noqa: BLE001 - logged below as a failed item
                    error = f"{error}; the fallback failed too: {describe(exc)}"
                else:
                    log.error("card for handoff %s went to the fallback channel: %s", ticket.id, error)
                    self.stats.fallbacks += 1
                    await self._settle(self.store.outbox_sent(item.id, ref), item)
                    return
        if item.kind is OutboxKind.REPLY:  # the customer cannot be reached: people must know, with the text
            error, told = await reply_undeliverable(self.desks.get(Platform(item.platform)), item, error)
            self.stats.fallbacks += told
        log.error("gave up sending %s %s after %d attempt(s): %s", item.kind, item.key, item.attempts, error)
        self.stats.failed += 1
        await self._settle(self.store.outbox_failed(item.id, error), item)

    async def _settle(self, update: Awaitable[None], item: OutboxItem, *, sent: bool = False) -> None:
        """Record an outcome; if the database is down the item's lease runs out and it is retried (and looked up)."""
        try:
            await update
        except Exception as exc:  # noqa: BLE001
            log.error("could not record the outcome of outbox item %s: %s", item.key, describe(exc))
        if sent:
            self.stats.sent += 1
            if self.on_sent is not None:
                self.on_sent(item)
