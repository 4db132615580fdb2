"""JSON views for the playground page: the "why" line under a reply, and a ticket as the agent pane shows it.

The rules for which agent buttons a ticket offers live here (not in the page script), so they are tested once.
"""

from __future__ import annotations

from typing import Any

from adapters.web.render import render_reply
from bot.core.types import Decision, HandoffStatus, Reply, Ticket, TicketKind
from bot.orchestration.handoff import describe_reason
from bot.orchestration.summary import describe

HEADLINES = {
    "answer": "answered",
    "escalate": "handed off",
    "draft": "drafted for an agent",
    "ignore": "AI stayed silent",
}


def why(decision: Decision) -> dict[str, Any]:
    """A short line ("answered · confidence 0.82", "handed off · low_confidence") plus the full trace."""
    data = describe(decision)
    return why_json(data["decision"], data["reason"], data["confidence"], data["articles"], data["trace"])


def why_json(
    kind: str, reason: str, confidence: float | None, articles: list[dict[str, Any]], trace: list[dict[str, Any]]
) -> dict[str, Any]:
    """The "why" from a decision's parts, so a stored decision (after a restart) reads like a live one."""
    parts = [HEADLINES[kind]]
    show_confidence = confidence is not None
    if kind == "answer" and reason != "answered":
        # A policy's own reply (e.g. "tell me more" after a first failure), not a knowledge-base answer.
        parts = ["replied", reason]
        show_confidence = bool(articles)
    elif kind != "answer":
        parts.append(reason)
    if show_confidence:
        parts.append(f"confidence {confidence:.2f}")
    return {
        "label": " · ".join(parts),
        "decision": kind,
        "reason": reason,
        "confidence": confidence,
        "articles": articles,
        "trace": trace,
    }


def ticket_actions(ticket: Ticket, *, has_question: bool) -> list[str]:
    """The buttons the agent pane offers for a ticket in its current state."""
    if ticket.status is HandoffStatus.RESOLVED:
        return ["rewrite"] if has_question else []
    if ticket.kind is TicketKind.DRAFT:
        return ["approve", "edit", "reject"]
    actions = ["claim"] if ticket.status is HandoffStatus.OPEN else []
    if ticket.handoff.suggestion is not None:
        actions += ["approve", "edit"] + (["reject"] if ticket.status is HandoffStatus.OPEN else [])
    actions += ["reply", "resolve"]
    if ticket.status is HandoffStatus.CLAIMED:
        actions.append("hand_back")
    return actions


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_json(ticket: Ticket, question_text: str | None, agent_name: str | None = None) -> dict[str, Any]:
    handoff = ticket.handoff
    customer = handoff.customer
    suggestion = handoff.suggestion
    return {
        "id": ticket.id,
        "kind": ticket.kind.value,
        "status": ticket.status.value,
        "agent": ticket.agent,
        "agent_name": agent_name or ticket.agent,
        "thread": ticket.address.thread,
        "conversation_key": ticket.conversation_key,
        "team": handoff.team,
        "reason": handoff.reason,
        "reason_text": describe_reason(handoff.reason),
        "customer_reason": handoff.customer_reason,
        "summary": handoff.summary,
        "priority": handoff.priority.value,
        "vip": handoff.vip,
        "reported": handoff.reported,
        "language": handoff.language,
        "sentiment": handoff.sentiment,
        "customer": {"name": customer.name or customer.id, "org": customer.org} if customer else None,
        "suggestion": (
            {"text": suggestion.text, "html": render_reply(Reply(suggestion.text, suggestion.citations))}
            if suggestion is not None
            else None
        ),
        "question": question_text,
        "actions": ticket_actions(ticket, has_question=question_text is not None),
        "created_at": _at(ticket.created_at),
        "claimed_at": _at(ticket.claimed_at),
        "resolved_at": _at(ticket.resolved_at),
    }
