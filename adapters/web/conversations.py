"""The customer pane's resources: conversations and their messages, posting a message, and the customer's buttons
(helpful / not helpful, talk to a person, CSAT). Each handler translates JSON into an `Inbound` or a desk call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from adapters.web.base import MAX_TEXT, MESSAGE_ID, REASON_CHOICES, THREAD_ID, PlaygroundBase, playground_address
from adapters.web.http import BadRequest, field_id, field_text, read_json
from adapters.web.outbox import capturing
from adapters.web.views import why
from bot.core.conversation import conversation_key
from bot.core.errors import NotFound
from bot.core.types import Decision, Inbound, InboundKind


class ConversationRoutes(PlaygroundBase):
    """`GET /ui/api/conversations[/{thread}/messages]`, `POST /ui/api/messages`, customer actions."""

    async def conversations(self, request: web.Request) -> web.Response:
        rows = [
            {"thread": address.thread, "title": title or "(no message yet)", "updated": updated.isoformat(), "count": n}
            for address, title, updated, n in self.outbox.threads()
        ]
        return web.json_response({"conversations": rows})

    async def messages(self, request: web.Request) -> web.Response:
        thread = field_id({"thread": request.match_info["thread"]}, "thread", THREAD_ID, required=True)
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

    async def post_message(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        text = field_text(body, "text", limit=MAX_TEXT, required=True)
        await self._ensure_mode()
        thread = field_id(body, "thread", THREAD_ID) or f"t{uuid.uuid4().hex[:12]}"
        message_id = field_id(body, "message_id", MESSAGE_ID) or uuid.uuid4().hex
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

    async def _customer_action(self, kind: str, body: dict[str, Any]) -> web.Response:
        await self._ensure_mode()
        thread = field_id(body, "thread", THREAD_ID, required=True)
        assert thread is not None
        address = playground_address(thread)
        customer = self._customer(body)
        source = field_id(body, "message", MESSAGE_ID, required=kind not in ("human", "no_ai"))
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
            message_id = f"{source}:human" if source else (field_id(body, "message_id", MESSAGE_ID) or uuid.uuid4().hex)
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
        elif kind == "no_ai":  # "No AI answers for me": from now on people answer this customer
            if "no_ai" in pressed:
                return web.json_response({"ok": True, "duplicate": True})
            self._press(address, source, pressed | {"no_ai"})
            inbound = Inbound(f"{source}:no_ai", address, customer, "", datetime.now(UTC), kind=InboundKind.NO_AI)
            decision = await self._submit(inbound)
        else:  # csat
            score = self._score(body.get("value"))
            if message is None or not any(a.kind == "csat" for a in (message.reply.actions if message.reply else ())):
                raise BadRequest("'message' must be the message that asked for a rating")
            if any(p.startswith("csat:") for p in pressed):
                return web.json_response({"ok": True, "duplicate": True})
            await self.app.desk.csat(key, customer, score)
            self._press(address, source, pressed | {f"csat:{score}"})
        return web.json_response({"ok": True, "duplicate": False, "decision": why(decision) if decision else None})
