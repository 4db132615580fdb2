"""The inbox's and outbox's JSON payloads, identical for the SQL and the memory store.

An inbox payload is the whole neutral `Inbound` (so a restarted process can decide it without the platform's
envelope); an outbox payload is where to send and what (`Reply`), or which ticket's card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.outbox import OutboxItem, OutboxKind
from bot.core.types import Inbound, InboundKind
from bot.store.records import (
    actor_from_json,
    actor_to_json,
    address_from_json,
    address_to_json,
    reply_from_json,
    reply_to_json,
)

Json = dict[str, Any]

PENDING, DONE, SENT, FAILED = "pending", "done", "sent", "failed"


def inbound_to_json(inbound: Inbound) -> Json:
    return {
        "message_id": inbound.message_id,
        "address": address_to_json(inbound.address),
        "author": actor_to_json(inbound.author),
        "text": inbound.text,
        "received_at": inbound.received_at.isoformat(),
        "kind": str(inbound.kind),
        "language": inbound.language,
        "reason_choice": inbound.reason_choice,
    }


def inbound_from_json(data: Json) -> Inbound:
    return Inbound(
        str(data["message_id"]),
        address_from_json(data["address"]),
        actor_from_json(data["author"]),
        str(data.get("text", "")),
        datetime.fromisoformat(str(data["received_at"])),
        InboundKind(data.get("kind", InboundKind.MESSAGE)),
        data.get("language"),
        data.get("reason_choice"),
    )


def outbox_payload(item: OutboxItem) -> Json:
    return {
        "address": address_to_json(item.address),
        "reply": None if item.reply is None else reply_to_json(item.reply),
    }


def outbox_item(
    *,
    id: int,
    kind: str,
    key: str,
    ticket_id: str,
    payload: Json,
    attempts: int,
    created_at: datetime,
) -> OutboxItem:
    reply = payload.get("reply")
    return OutboxItem(
        kind=OutboxKind(kind),
        address=address_from_json(payload["address"]),
        reply=None if reply is None else reply_from_json(reply),
        ticket_id=ticket_id,
        key=key,
        id=id,
        attempts=attempts,
        created_at=created_at,
    )
