"""What an agent's action sends, as outbox items written in the action's own transaction (issue 18, req. 1).

A claim, reply, resolve, hand-back, approve / edit / pick or reject changes the ticket and the conversation and
sends: a message to the customer, the refreshed card, sometimes a note to the agents under the card. Sent directly,
a Slack or Teams failure lost them (the ticket said "claimed", the customer never heard; an agent's reply vanished).
As outbox rows committed with the change (`Store.record_action`), the first attempt is made at once and a failure
is retried by any replica's worker with backoff, like a decision's reply; a reply that still cannot be delivered
is shown to people (`bot.orchestration.fallback`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.core.outbox import OutboxItem, OutboxKind
from bot.core.ports import AgentDesk, Outbox
from bot.core.types import Platform, Reply, Ticket


@dataclass(slots=True)
class Sends:
    """Collects one action's items in order; only what this deployment can deliver (a registered platform)."""

    outboxes: Mapping[Platform, Outbox]
    desks: Mapping[Platform, AgentDesk]
    items: list[OutboxItem] = field(default_factory=list)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex)  # one action; its items' keys stay fixed on retries

    def tell(self, ticket: Ticket, reply: Reply) -> None:
        """A message to the customer in the ticket's thread."""
        if ticket.address.platform in self.outboxes:
            self._add(OutboxItem(OutboxKind.REPLY, ticket.address, reply, ticket_id=ticket.id))

    def refresh(self, ticket: Ticket) -> None:
        """The ticket's card, re-rendered from the ticket as stored when the item is sent."""
        if ticket.address.platform in self.desks:
            self._add(OutboxItem(OutboxKind.CARD_UPDATE, ticket.address, ticket_id=ticket.id))

    def note(self, ticket: Ticket, prompt: Reply) -> None:
        """A message to the agents under the ticket's card (`AgentDesk.ask`)."""
        if ticket.address.platform in self.desks:
            self._add(OutboxItem(OutboxKind.AGENT_NOTE, ticket.address, prompt, ticket_id=ticket.id))

    def _add(self, item: OutboxItem) -> None:
        self.items.append(replace(item, key=f"desk:{self.tag}:{len(self.items)}"))
