"""The playground's JSON API: the customer pane posts messages and button presses, the agent pane acts on tickets.

Every handler is a translator, like any adapter: validate the JSON, build the neutral value (`Inbound`, `Actor`),
call the dispatcher or the desk, answer JSON. Bad input is a 400 naming the field; `NotFound` is 404 and `Conflict`
(e.g. a ticket someone else claimed) is 409, so the page can say what happened and nothing is lost.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, Protocol

from aiohttp import web

from adapters.web.desk import WebAgentDesk
from adapters.web.outbox import Speaker, WebOutbox, capturing, speaking_as
from adapters.web.views import ticket_json, why
from bot.conversation import conversation_key
from bot.desk import Desk
from bot.dispatcher import Dispatcher
from bot.errors import Conflict, NotFound
from bot.handoff import HUMAN_REASONS
from bot.ports import AgentDesk, Outbox, Phrasebook, Store
from bot.types import Actor, Address, Decision, HandoffStatus, Inbound, InboundKind, Mode, Platform, Role, Ticket

log = logging.getLogger(__name__)

WORKSPACE = CHANNEL = "playground"
MAX_TEXT = 4000
MAX_NAME = 80
DEFAULT_CUSTOMER = ("Sam Rivera", "Acme")
DEFAULT_AGENT = "Alex (agent)"
REASON_CHOICES = HUMAN_REASONS
CUSTOMER_KINDS = frozenset({"helpful", "not_helpful", "human", "csat"})
AGENT_KINDS = frozenset({"claim", "reply", "resolve", "hand_back", "approve", "edit", "reject", "rewrite"})
RECENT_RESOLVED = 5
AGENT_NAME_KEY = "playground.agent_name."  # + agent id: the name typed in the agent pane (see restore.py)
_THREAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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


class BadRequest(Exception):
    """The request cannot be acted on as sent; the message names the field to fix."""


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def json_errors(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequest as exc:
            return error(400, str(exc))
        except NotFound as exc:
            return error(404, str(exc))
        except Conflict as exc:
            return error(409, str(exc))
        except ValueError as exc:  # the desk's own input checks (empty reply, CSAT out of range)
            return error(400, str(exc))
        except Exception:  # noqa: BLE001 - the page gets JSON it can show; the log gets the traceback
            log.exception("playground request failed: %s %s", request.method, request.path)
            return error(500, "internal error; see the server log")

    return wrapped


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("the request body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def field_text(body: dict[str, Any], name: str, *, limit: int, required: bool = False, default: str = "") -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"'{name}' is required")
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    value = value.strip()
    if required and not value:
        raise BadRequest(f"'{name}' must not be blank")
    if len(value) > limit:
        raise BadRequest(f"'{name}' is too long ({len(value)} characters; the limit is {limit})")
    return value or default


def field_id(body: dict[str, Any], name: str, pattern: re.Pattern[str], *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"'{name}' is required")
        return None
    if not isinstance(value, str) or not pattern.match(value):
        raise BadRequest(f"'{name}' must be 1-100 letters, digits, '-', '_', '.' or ':'")
    return value


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "anonymous"


def playground_address(thread: str) -> Address:
    return Address(Platform.WEB, WORKSPACE, CHANNEL, thread)


class PlaygroundApi:
    """Request handlers bound to one `App` (no globals: the server may host several in tests)."""

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

    # -- reads ----------------------------------------------------------------------------------------------------

    async def meta(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "reasons": [{"value": value, "label": label} for value, label in REASON_CHOICES],
                "customer": {"name": DEFAULT_CUSTOMER[0], "org": DEFAULT_CUSTOMER[1]},
                "agent": {"name": DEFAULT_AGENT},
            }
        )

    async def mode(self, request: web.Request) -> web.Response:
        await self._ensure_mode()
        policy = await self.app.store.channel_policy(playground_address("setup"), datetime.now(UTC))
        return web.json_response({"mode": policy.mode.value, "modes": [m.value for m in Mode]})

    async def set_mode(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        value = body.get("mode")
        try:
            mode = Mode(str(value))
        except ValueError:
            raise BadRequest(f"'mode' must be one of {', '.join(m.value for m in Mode)}") from None
        await self._ensure_mode()
        name = field_text(body, "agent", limit=MAX_NAME, default=DEFAULT_AGENT)
        await self._set_mode(mode, slug(name))
        return web.json_response({"mode": mode.value, "modes": [m.value for m in Mode]})

    async def conversations(self, request: web.Request) -> web.Response:
        rows = [
            {"thread": address.thread, "title": title or "(no message yet)", "updated": updated.isoformat(), "count": n}
            for address, title, updated, n in self.outbox.threads()
        ]
        return web.json_response({"conversations": rows})

    async def messages(self, request: web.Request) -> web.Response:
        thread = field_id({"thread": request.match_info["thread"]}, "thread", _THREAD, required=True)
        assert thread is not None
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise BadRequest("'after' must be a whole number (the last sequence number you saw)") from None
        address = playground_address(thread)
        messages = [m.to_json() for m in self.outbox.messages(address, max(after, 0))]
        return web.json_response(
            {"thread": thread, "messages": messages, "last": self.outbox.last_seq(address), "epoch": self.outbox.epoch}
        )

    async def tickets(self, request: web.Request) -> web.Response:
        tickets = [t for t in await self.app.store.tickets() if t.address.platform is Platform.WEB]
        active = [t for t in tickets if t.status is not HandoffStatus.RESOLVED]
        resolved = [t for t in tickets if t.status is HandoffStatus.RESOLVED]
        asked = [t for t in resolved if self.desk.question(t.id) is not None]
        recent = sorted(
            (t for t in resolved if t not in asked), key=lambda t: t.resolved_at or datetime.min.replace(tzinfo=UTC)
        )[-RECENT_RESOLVED:]
        order = {HandoffStatus.OPEN: 0, HandoffStatus.CLAIMED: 1, HandoffStatus.RESOLVED: 2}
        shown = sorted(active + asked, key=lambda t: (order[t.status], _ts(t)))
        shown += list(reversed(recent))
        for agent in {t.agent for t in shown if t.agent and t.agent not in self._agent_names}:
            self._agent_names[agent] = await self.app.store.get_setting(AGENT_NAME_KEY + agent) or agent
        return web.json_response({"tickets": [self._ticket(t) for t in shown], "version": self.desk.version})

    # -- customer pane --------------------------------------------------------------------------------------------

    async def post_message(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        text = field_text(body, "text", limit=MAX_TEXT, required=True)
        await self._ensure_mode()
        thread = field_id(body, "thread", _THREAD) or f"t{uuid.uuid4().hex[:12]}"
        message_id = field_id(body, "message_id", _MESSAGE_ID) or uuid.uuid4().hex
        customer = self._customer(body)
        address = playground_address(thread)
        self.outbox.add_customer_message(address, message_id, customer.name, text)
        inbound = Inbound(message_id, address, customer, text, datetime.now(UTC))
        decision = await self._submit(inbound, annotate_fallback=message_id)
        return web.json_response(
            {
                "thread": thread,
                "message_id": message_id,
                "duplicate": decision is None,
                "decision": why(decision) if decision is not None else None,
            }
        )

    async def action(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        kind = body.get("kind")
        if kind in CUSTOMER_KINDS:
            return await self._customer_action(str(kind), body)
        if kind in AGENT_KINDS:
            return await self._agent_action(str(kind), body)
        allowed = ", ".join(sorted(CUSTOMER_KINDS | AGENT_KINDS))
        raise BadRequest(f"unknown action kind {kind!r}; use one of {allowed}")

    async def _customer_action(self, kind: str, body: dict[str, Any]) -> web.Response:
        await self._ensure_mode()
        thread = field_id(body, "thread", _THREAD, required=True)
        assert thread is not None
        address = playground_address(thread)
        customer = self._customer(body)
        source = field_id(body, "message", _MESSAGE_ID, required=kind != "human")
        message = self.outbox.find(address, source) if source else None
        if source and message is None:
            raise NotFound(f"no message {source!r} in conversation {thread!r}")
        pressed = message.pressed if message else frozenset()
        key = conversation_key(address)
        decision: Decision | None = None
        if kind in ("helpful", "not_helpful"):
            if pressed & {"helpful", "not_helpful"}:
                return web.json_response({"ok": True, "duplicate": True})
            self._press(address, source, pressed | {kind})
            with capturing() as sent:
                decision = await self.app.dispatcher.feedback(
                    address, customer, helpful=kind == "helpful", message_id=f"{source}:feedback"
                )
            if decision is not None:
                self._annotate(address, sent, decision)
        elif kind == "human":
            reason = field_text(body, "reason", limit=40)
            if reason and reason not in dict(REASON_CHOICES):
                raise BadRequest(f"'reason' must be one of {', '.join(dict(REASON_CHOICES))} (or empty)")
            if source:
                if "human" in pressed:
                    return web.json_response({"ok": True, "duplicate": True})
                self._press(address, source, pressed | {"human"})
            message_id = (
                f"{source}:human" if source else (field_id(body, "message_id", _MESSAGE_ID) or uuid.uuid4().hex)
            )
            inbound = Inbound(
                message_id,
                address,
                customer,
                "",
                datetime.now(UTC),
                kind=InboundKind.HUMAN_REQUEST,
                reason_choice=reason or None,
            )
            decision = await self._submit(inbound)
            if decision is None:  # the same press delivered twice: the dispatcher already handled it
                return web.json_response({"ok": True, "duplicate": True, "decision": None})
            if reason:
                await self.app.desk.escalation_reason(key, customer, reason)
        else:  # csat
            score = self._score(body.get("value"))
            if message is None or not any(a.kind == "csat" for a in (message.reply.actions if message.reply else ())):
                raise BadRequest("'message' must be the message that asked for a rating")
            if any(p.startswith("csat:") for p in pressed):
                return web.json_response({"ok": True, "duplicate": True})
            await self.app.desk.csat(key, customer, score)
            self._press(address, source, pressed | {f"csat:{score}"})
        return web.json_response({"ok": True, "duplicate": False, "decision": why(decision) if decision else None})

    # -- agent pane -----------------------------------------------------------------------------------------------

    async def _agent_action(self, kind: str, body: dict[str, Any]) -> web.Response:
        ticket_id = field_text(body, "ticket", limit=100, required=True)
        name = field_text(body, "agent", limit=MAX_NAME, default=DEFAULT_AGENT)
        agent = Actor(slug(name), name, "", Role.AGENT)
        text, rewrote = "", False
        if kind in ("reply", "edit"):
            text = field_text(body, "text", limit=MAX_TEXT, required=True)
        elif kind == "rewrite":
            value = body.get("value")
            if value not in ("yes", "no"):
                raise BadRequest('\'value\' must be "yes" or "no"')
            rewrote = value == "yes"
        await self._remember(agent)
        # Only the agent's own words are shown as theirs; claim / resolve notices come from the bot.
        voice = speaking_as(Speaker("agent", name)) if text else contextlib.nullcontext()
        with voice:
            await self.app.desk.act(kind, ticket_id, agent, text=text, rewrote=rewrote)
        if kind == "rewrite":
            self.desk.answered(ticket_id)
        ticket = await self.app.store.get_ticket(ticket_id)
        return web.json_response({"ok": True, "ticket": self._ticket(ticket) if ticket else None})

    # -- internals ------------------------------------------------------------------------------------------------

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
        return Actor(f"web-{slug(name)}", name, slug(org), Role.CUSTOMER, is_external=True)

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
        return ticket_json(ticket, question.text if question else None, name)


def _ts(ticket: Ticket) -> float:
    return ticket.created_at.timestamp() if ticket.created_at else 0.0
