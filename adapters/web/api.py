"""The playground's JSON API: the customer pane posts messages and button presses, the agent pane acts on tickets.

Every handler is a translator, like any adapter: validate the JSON, build the neutral value (`Inbound`, `Actor`),
call the dispatcher or the desk, answer JSON. Bad input is a 400 naming the field; `NotFound` is 404 and `Conflict`
(e.g. a ticket someone else claimed) is 409, so the page can say what happened and nothing is lost. The resources
live in `conversations` (customer pane) and `tickets` (agent pane); this module adds the page's metadata, the
channel mode and the one action endpoint that dispatches to either pane.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from adapters.web.base import (
    DEFAULT_AGENT,
    DEFAULT_CUSTOMER,
    MAX_NAME,
    REASON_CHOICES,
    playground_address,
)
from adapters.web.conversations import ConversationRoutes
from adapters.web.http import BadRequest, field_text, read_json, slug
from adapters.web.tickets import TicketRoutes
from bot.core.types import Mode

CUSTOMER_KINDS = frozenset({"helpful", "not_helpful", "human", "no_ai", "csat"})
AGENT_KINDS = frozenset(
    {"claim", "reply", "resolve", "hand_back", "approve", "edit", "reject", "rewrite", "write", "pick"}
)


class PlaygroundApi(ConversationRoutes, TicketRoutes):
    """Request handlers bound to one `App` (no globals: the server may host several in tests)."""

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

    async def action(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        kind = body.get("kind")
        if kind in CUSTOMER_KINDS:
            return await self._customer_action(str(kind), body)
        if kind in AGENT_KINDS:
            return await self._agent_action(str(kind), body)
        allowed = ", ".join(sorted(CUSTOMER_KINDS | AGENT_KINDS))
        raise BadRequest(f"unknown action kind {kind!r}; use one of {allowed}")
