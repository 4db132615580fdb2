"""What a decision sends, as the message path stores and delivers it (docs/decisions.md, "Inbox, decision,
outbox"): the outbox item, the turn written in one transaction with it, and the optional adapter protocols the
outbox worker uses to avoid double posts and to reroute cards. Standard library only, like the rest of the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.core.conversation import Conversation
from bot.core.types import Address, Decision, Inbound, Reply, Ticket


class OutboxKind(StrEnum):
    REPLY = "reply"  # `reply` to the customer at `address`
    CARD = "card"  # post the ticket's card in its team's agents channel (the ticket's card_ref is set on success)
    CARD_UPDATE = "card_update"  # refresh the ticket's card in place
    AGENT_NOTE = "agent_note"  # `reply` to the agents under the ticket's card (`AgentDesk.ask`), from a desk action


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One thing a decision sends, stored in the decision's own transaction and delivered by the outbox worker.

    `key` is stable across retries ("<decision key>:<n>"); an adapter that can look up what it already posted
    (`SentLookup`) uses it so a retry after a crash never posts twice. `attempts` counts claims so far: above 1 the
    outcome of an earlier attempt is unknown.
    """

    kind: OutboxKind
    address: Address  # the customer's thread (for a card: the ticket's conversation)
    reply: Reply | None = None
    ticket_id: str = ""
    key: str = ""
    id: int = 0
    attempts: int = 0
    created_at: datetime | None = None

    @property
    def platform(self) -> str:
        return str(self.address.platform)


@runtime_checkable
class SentLookup(Protocol):
    """Optional for an `Outbox` / `AgentDesk`: find a message an earlier, interrupted attempt already posted."""

    async def already_sent(self, item: OutboxItem, ticket: Ticket | None) -> str | None:
        """The platform reference of the message posted for `item.key`, or None when none was."""
        ...


@runtime_checkable
class FallbackDesk(Protocol):
    """Optional for an `AgentDesk`: where a card goes when its team's channel keeps refusing it."""

    async def undeliverable(self, ticket: Ticket, error: str) -> str:
        """Post the card to the default agents channel and tell the admins directly; returns the card's reference."""
        ...


@dataclass(frozen=True, slots=True)
class TurnWrite:
    """Everything one decided turn changes, committed in one transaction by `Store.record_turn`."""

    inbound: Inbound
    conversation: Conversation
    decision: Decision
    team: str = ""
    ticket: Ticket | None = None  # a new ticket to open (handoff or draft)
    outbox: tuple[OutboxItem, ...] = ()


@runtime_checkable
class ReplyFallback(Protocol):
    """Optional for an `AgentDesk`: a customer reply that could not be delivered after its retries."""

    async def reply_undeliverable(self, item: OutboxItem, error: str) -> str:
        """Show the reply to people (a card in the default agents channel, a direct message to each admin) so
        someone can reach the customer another way; returns the card's reference ("" when only admins were told)."""
        ...


@dataclass(frozen=True, slots=True)
class ActionWrite:
    """What one agent action (claim, reply, resolve, approve …) changes, committed in one transaction by
    `Store.record_action`: the conversation, the ticket as it now is, and what the action sends (the customer's
    message, the card update, a note to the agents) as outbox items, so a platform failure retries them."""

    conversation_key: str
    conversation: Conversation | None = None
    ticket: Ticket | None = None
    outbox: tuple[OutboxItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Recorded:
    decision_id: int
    outbox: tuple[OutboxItem, ...]  # with their ids, claimed by the writer for an immediate first attempt


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int = 0
    failed: int = 0
    oldest: datetime | None = None  # the oldest pending item's creation time
    inbox_pending: int = 0
