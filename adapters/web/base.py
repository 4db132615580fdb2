"""What the playground's resources share: the `App` they act through, the page's message log, the playground
channel's mode, and the translation of typed names into actors and of decisions into "why" lines."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Protocol

from adapters.web.desk import WebAgentDesk
from adapters.web.http import BadRequest, field_text, slug
from adapters.web.outbox import WebOutbox, capturing
from adapters.web.views import ticket_json, why
from bot.core.ports import AgentDesk, Outbox, Phrasebook, Store
from bot.core.types import Actor, Address, Decision, Inbound, Mode, Platform, Role, Ticket
from bot.orchestration.desk import Desk
from bot.orchestration.dispatcher import Dispatcher
from bot.orchestration.handoff import HUMAN_REASONS

WORKSPACE = CHANNEL = "playground"
MAX_TEXT = 4000
MAX_NAME = 80
DEFAULT_CUSTOMER = ("Sam Rivera", "Acme")
DEFAULT_AGENT = "Alex"  # customers read it: "Alex from our team is looking at this now."
REASON_CHOICES = HUMAN_REASONS
RECENT_RESOLVED = 5
AGENT_NAME_KEY = "playground.agent_name."  # + agent id: the name typed in the agent pane (see restore.py)
THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class _Routing(Protocol):
    @property
    def default_mode(self) -> str: ...


class _Config(Protocol):
    @property
    def routing(self) -> _Routing: ...


class Host(Protocol):
    """What the playground needs from the composition root's `App` (named here so edges never import layer 4)."""

    @property
    def config(self) -> _Config: ...

    store: Store
    dispatcher: Dispatcher
    desk: Desk
    phrases: Phrasebook
    outboxes: dict[Platform, Outbox]
    desks: dict[Platform, AgentDesk]


def playground_address(thread: str) -> Address:
    return Address(Platform.WEB, WORKSPACE, CHANNEL, thread)


class PlaygroundBase:
    """State and helpers bound to one `App` (no globals: the server may host several in tests)."""

    def __init__(self, app: Host, outbox: WebOutbox, desk: WebAgentDesk) -> None:
        self.app = app
        self.outbox = outbox
        self.desk = desk
        self.default_mode = Mode(app.config.routing.default_mode)
        self._mode_ready = False
        self._agent_names: dict[str, str] = {}

    async def _ensure_mode(self) -> None:
        """Give the playground channel the configured mode once, unless someone already chose one.

        A channel seen for the first time would start in pre-approval for `approval_days`; that protects real
        customers in a new shared channel, but in the playground the same person plays customer and agent, so it
        starts in the configured default mode and the mode selector shows the others (an audited admin change).
        """
        if self._mode_ready:
            return
        address = playground_address("setup")
        policy = await self.app.store.channel_policy(address, datetime.now(UTC))
        if not policy.explicit_mode:
            await self._set_mode(self.default_mode, "playground")
        self._mode_ready = True

    async def _set_mode(self, mode: Mode, who: str) -> None:
        await self.app.store.set_channel(playground_address("setup"), mode=mode.value)
        await self.app.store.record_admin_change(who, f"playground channel mode = {mode.value}", datetime.now(UTC))

    async def _remember(self, agent: Actor) -> None:
        """Keep the display name behind an agent id, so a restored log says "Alex (agent)", not "alex-agent"."""
        if self._agent_names.get(agent.id) != agent.name:
            await self.app.store.put_setting(AGENT_NAME_KEY + agent.id, agent.name)
            self._agent_names[agent.id] = agent.name

    async def _submit(self, inbound: Inbound, *, annotate_fallback: str | None = None) -> Decision | None:
        """Submit through the dispatcher and add the decision's "why" to the messages it produced."""
        with capturing() as sent:
            decision = await self.app.dispatcher.submit(inbound)
        if decision is not None:
            targets = sent or ([annotate_fallback] if annotate_fallback else [])
            self._annotate(inbound.address, targets, decision)
        return decision

    def _annotate(self, address: Address, message_ids: list[str], decision: Decision) -> None:
        line = why(decision)
        for message_id in message_ids:
            self.outbox.update(address, message_id, why=line)

    def _press(self, address: Address, message_id: str | None, pressed: frozenset[str]) -> None:
        if message_id:
            self.outbox.update(address, message_id, pressed=pressed)

    @staticmethod
    def _customer(body: dict[str, Any]) -> Actor:
        name = field_text(body, "name", limit=MAX_NAME, default=DEFAULT_CUSTOMER[0])
        org = field_text(body, "org", limit=MAX_NAME, default=DEFAULT_CUSTOMER[1])
        # Ids are derived from what was typed so one person's conversations stay together and VIP lists in
        # frontdesk.toml match: vip_orgs = ["globex"] makes the organisation "Globex" a VIP.
        return Actor(f"web-{slug(name)}", name, slug(org), Role.CUSTOMER, is_external=True, org_name=org)

    @staticmethod
    def _score(value: object) -> int:
        if isinstance(value, bool):
            raise BadRequest("'value' must be a rating from 1 to 5")
        try:
            score = int(str(value))
        except ValueError:
            raise BadRequest("'value' must be a rating from 1 to 5") from None
        if not 1 <= score <= 5:
            raise BadRequest("'value' must be a rating from 1 to 5")
        return score

    def _ticket(self, ticket: Ticket) -> dict[str, Any]:
        question = self.desk.question(ticket.id)
        name = self._agent_names.get(ticket.agent) if ticket.agent else None
        return ticket_json(ticket, question.text if question else None, name, self._agent_name)

    def _agent_name(self, agent_id: str, name: str) -> str:
        return self._agent_names.get(agent_id) or name or agent_id
