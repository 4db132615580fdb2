"""Outbound through botbuilder: post, reply in a thread and update an activity, for one stored conversation reference.

This is the narrow seam to the SDK for delivery (with `auth` and `endpoint` for inbound): the rest of the adapter
speaks `Ref` and plain activity dicts. A second adapter on Microsoft's successor SDK (microsoft-agents-hosting-*)
would implement these three calls and reuse everything else.

Sends go through `CloudAdapter.continue_conversation`, so the connector client, its credentials (a token for the
bot's app id, none in anonymous mode) and the serviceUrl all come from the conversation's own reference: one
tenant's traffic never goes through another tenant's serviceUrl. Every failure becomes `DeliveryError` with the HTTP
status when there was one (403/404 mean the reference is stale) and a sentence, whatever the body was (JSON, HTML,
empty).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference
from botframework.connector.aio import ConnectorClient

from bot.core.errors import DeliveryError as CoreDeliveryError

log = logging.getLogger(__name__)

STALE = frozenset({403, 404})  # BotNotInConversationRoster, ConversationNotFound


class DeliveryError(CoreDeliveryError):
    """A send the connector refused. A stale conversation (403/404) is permanent for the outbox worker: retrying
    cannot help until the bot is added back; anything else is retried with backoff."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message, permanent=status in STALE)
        self.status = status

    @property
    def stale(self) -> bool:
        return self.status in STALE


@dataclass(frozen=True, slots=True)
class Ref:
    """Where to send: a conversation (a channel, a channel thread `…;messageid=<root>`, a chat) and its serviceUrl."""

    conversation_id: str
    service_url: str
    tenant_id: str = ""
    bot_id: str = ""
    conversation_type: str = ""

    def in_thread(self, root: str) -> Ref:
        base = self.conversation_id.split(";messageid=")[0]
        return Ref(f"{base};messageid={root}", self.service_url, self.tenant_id, self.bot_id, self.conversation_type)


def _status(exc: BaseException) -> int | None:
    """The HTTP status of a failed connector call. msrest raises a DeserializationError without it when the error
    body is not JSON (an HTML page from Teams' edge, a bare text): its pipeline parses every body before the status is
    looked at. The response is then found in the frames of that failed parse, the only place msrest keeps it."""
    responses = [getattr(exc, "response", None)]
    responses += [frame.f_locals.get("response") for frame, _ in traceback.walk_tb(exc.__traceback__)]
    for response in responses:
        status = getattr(response, "status_code", None) or getattr(getattr(response, "http_response", None), "status_code", None)
        if isinstance(status, int):
            return status
    return None


def _describe(exc: BaseException) -> str:
    """One sentence about a failed call, without trusting the body to be JSON (Teams' edge may answer in HTML)."""
    status = _status(exc)
    error = getattr(exc, "error", None)
    detail = getattr(getattr(error, "error", None), "message", None) or getattr(getattr(error, "error", None), "code", None)
    if not detail:
        detail = type(exc).__name__
    return f"Teams refused the message (HTTP {status}: {detail})" if status else f"could not reach Teams ({detail})"


def _client(turn: TurnContext) -> ConnectorClient:
    client: ConnectorClient = turn.turn_state[turn.adapter.BOT_CONNECTOR_CLIENT_KEY]
    return client


async def close_client(turn: TurnContext) -> None:
    """Close the connector client botbuilder made for this turn: it makes one per turn (with its own aiohttp
    session) and never closes it, which leaks a session per message."""
    client = turn.turn_state.get(turn.adapter.BOT_CONNECTOR_CLIENT_KEY)
    if client is not None:
        try:
            await client.__aexit__(None, None, None)
        except Exception as exc:  # noqa: BLE001 - closing must never fail a delivery
            log.debug("closing the connector client failed: %s", exc)


class Connector:
    def __init__(self, adapter: CloudAdapter, app_id: str | None) -> None:
        self.adapter = adapter
        self.app_id = app_id or ""

    def _reference(self, ref: Ref) -> ConversationReference:
        return ConversationReference(
            channel_id="msteams",
            service_url=ref.service_url,
            conversation=ConversationAccount(
                id=ref.conversation_id, tenant_id=ref.tenant_id or None, conversation_type=ref.conversation_type or None
            ),
            bot=ChannelAccount(id=ref.bot_id or None),
        )

    def _outgoing(self, ref: Ref, activity: dict[str, Any]) -> Activity:
        outgoing = Activity().deserialize(activity)
        outgoing.channel_id = "msteams"
        outgoing.conversation = ConversationAccount(id=ref.conversation_id)
        outgoing.from_property = ChannelAccount(id=ref.bot_id or None)
        return outgoing

    async def _run(self, ref: Ref, work: Any) -> Any:
        box: dict[str, Any] = {}

        async def callback(turn: TurnContext) -> None:
            try:
                box["result"] = await work(turn)
            except Exception as exc:  # noqa: BLE001 - kept for the caller: the adapter's on_turn_error would swallow it
                box["error"] = exc
            finally:
                await close_client(turn)

        try:
            await self.adapter.continue_conversation(self._reference(ref), callback, self.app_id)
        except Exception as exc:  # noqa: BLE001 - msrest, aiohttp and deserialisation errors all mean "not delivered"
            box["error"] = exc
        error = box.get("error")
        if error is not None:
            raise DeliveryError(_describe(error), _status(error)) from error
        return box.get("result")

    async def send(self, ref: Ref, activity: dict[str, Any]) -> str:
        """Post into the conversation (a `;messageid=` id posts into that thread); returns the new activity's id."""

        async def work(turn: TurnContext) -> str:
            # Straight to POST /v3/conversations/{id}/activities: turn.send_activity would add the continuation
            # event's made-up id as a replyToId.
            response = await _client(turn).conversations.send_to_conversation(ref.conversation_id, self._outgoing(ref, activity))
            return str(getattr(response, "id", "") or "")

        result: str = await self._run(ref, work)
        return result

    async def update(self, ref: Ref, activity_id: str, activity: dict[str, Any]) -> None:
        """Replace a posted activity in place (`updateActivity`), for everyone who sees it."""

        async def work(turn: TurnContext) -> None:
            replacement = self._outgoing(ref, {**activity, "id": activity_id})
            await _client(turn).conversations.update_activity(ref.conversation_id, activity_id, replacement)

        await self._run(ref, work)
