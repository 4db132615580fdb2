"""Row ↔ value conversions for decisions, tickets and feedback (conversations have `sql_conversations`)."""

from __future__ import annotations

from typing import Any

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Decision, HandoffStatus, Inbound, Ticket, TicketKind
from bot.store.defaults import utc
from bot.store.models import DecisionRow, FeedbackRow, TicketRow
from bot.store.records import (
    address_from_json,
    address_to_json,
    decision_fields,
    handoff_from_json,
    handoff_to_json,
    trace_to_json,
)


def decision_row(conversation_key: str, inbound: Inbound, decision: Decision, team: str) -> DecisionRow:
    fields = decision_fields(decision, inbound)
    return DecisionRow(
        conversation_key=conversation_key,
        message_id=inbound.message_id,
        kind=fields.kind,
        reason=fields.reason,
        confidence=fields.confidence,
        language=fields.language,
        article_ids=list(fields.article_ids),
        trace=trace_to_json(fields.trace),
        text=inbound.text,
        reply=fields.reply,
        delivered=fields.delivered,
        at=utc(inbound.received_at),
        team=team,
        channel=inbound.address.channel,
        input_tokens=fields.usage.input_tokens,
        output_tokens=fields.usage.output_tokens,
        cost_usd=fields.usage.cost_usd,
    )


def decision_record(row: DecisionRow) -> DecisionRecord:
    return DecisionRecord(
        id=row.id,
        conversation_key=row.conversation_key,
        message_id=row.message_id,
        kind=row.kind,
        reason=row.reason,
        confidence=row.confidence,
        language=row.language,
        article_ids=tuple(str(a) for a in row.article_ids),
        at=row.at,
        text=row.text,
        reply=row.reply,
        delivered=row.delivered,
        team=row.team,
        channel=row.channel,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_usd=row.cost_usd,
    )


def ticket_from_row(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        conversation_key=row.conversation_key,
        address=address_from_json(row.address),
        handoff=handoff_from_json(row.handoff),
        kind=TicketKind(row.kind),
        status=HandoffStatus(row.status),
        agent=row.agent,
        created_at=row.created_at,
        claimed_at=row.claimed_at,
        resolved_at=row.resolved_at,
        card_ref=row.card_ref,
    )


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    return {
        "conversation_key": ticket.conversation_key,
        "address": address_to_json(ticket.address),
        "kind": str(ticket.kind),
        "status": str(ticket.status),
        "team": ticket.handoff.team,
        "reason": ticket.handoff.reason,
        "summary": ticket.handoff.summary,
        "handoff": handoff_to_json(ticket.handoff),
        "agent": ticket.agent,
        "created_at": ticket.created_at,
        "claimed_at": ticket.claimed_at,
        "resolved_at": ticket.resolved_at,
        "card_ref": ticket.card_ref,
    }


def feedback_entry(row: FeedbackRow) -> FeedbackEntry:
    return FeedbackEntry(
        kind=row.kind,
        conversation_key=row.conversation_key,
        actor_id=row.actor_id,
        at=row.at,
        helpful=row.helpful,
        score=row.score,
        rewrote=row.rewrote,
        edited_text=row.edited_text,
        reason=row.reason,
        decision_id=row.decision_id,
        article_ids=tuple(str(a) for a in row.article_ids),
    )
