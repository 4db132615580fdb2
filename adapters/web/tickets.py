"""The agent pane's resources: the playground's ticket queue and agents' actions on a ticket (claim, reply,
resolve, hand back, approve / edit / reject a draft, answer the rewrite question)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from adapters.web.base import AGENT_NAME_KEY, DEFAULT_AGENT, MAX_NAME, MAX_TEXT, RECENT_RESOLVED, PlaygroundBase
from adapters.web.http import BadRequest, field_text, slug
from adapters.web.outbox import Speaker, speaking_as
from bot.core.errors import handoff_not_found
from bot.core.types import Actor, HandoffStatus, Platform, Role, Ticket, TicketKind
from bot.orchestration.collab import CHOICES


class TicketRoutes(PlaygroundBase):
    """`GET /ui/api/tickets` and the agent kinds of `POST /ui/api/actions`."""

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

    async def _agent_action(self, kind: str, body: dict[str, Any]) -> web.Response:
        ticket_id = field_text(body, "ticket", limit=100, required=True)
        name = field_text(body, "agent", limit=MAX_NAME, default=DEFAULT_AGENT)
        agent = Actor(slug(name), name, "", Role.AGENT)
        text, rewrote, choice = "", False, ""
        if kind in ("reply", "edit", "write"):
            text = field_text(body, "text", limit=MAX_TEXT, required=True)
        elif kind == "pick":
            choice = field_text(body, "choice", limit=20, required=True)
            if choice not in CHOICES:
                raise BadRequest(f"'choice' must be one of {', '.join(sorted(CHOICES))}")
            text = field_text(body, "text", limit=MAX_TEXT, required=choice == "edited")
        elif kind == "rewrite":
            value = body.get("value")
            if value not in ("yes", "no"):
                raise BadRequest('\'value\' must be "yes" or "no"')
            rewrote = value == "yes"
        found = await self.app.store.get_ticket(ticket_id)
        if found is None or found.address.platform is not Platform.WEB:
            # The playground only ever acts on its own conversations, never on a Slack or Teams customer's.
            raise handoff_not_found(ticket_id)
        await self._remember(agent)
        if kind in ("reply", "write"):
            current = await self.app.store.get_ticket(ticket_id)
            if current is not None and current.status is HandoffStatus.OPEN and current.kind is TicketKind.HANDOFF:
                await self.app.desk.claim(ticket_id, agent)  # "Alex from our team …" is Frontdesk's notice, not Alex's
        # Only the agent's own words are shown as theirs; claim / resolve notices come from the bot.
        # A pick of the AI's text ("ai", "improved") is still sent by the agent who picked it.
        voice = speaking_as(Speaker("agent", name)) if text or kind == "pick" else contextlib.nullcontext()
        with voice:
            await self.app.desk.act(kind, ticket_id, agent, text=text, rewrote=rewrote, choice=choice)
        if kind == "rewrite":
            self.desk.answered(ticket_id)
        ticket = await self.app.store.get_ticket(ticket_id)
        return web.json_response({"ok": True, "ticket": self._ticket(ticket) if ticket else None})


def _ts(ticket: Ticket) -> float:
    return ticket.created_at.timestamp() if ticket.created_at else 0.0
