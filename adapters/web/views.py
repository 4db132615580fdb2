"""JSON views for the playground page: the "why" line under a reply, and a ticket as the agent pane shows it.

The card's content and buttons come from the neutral `bot.core.cards.card_view` (the same as Slack's and Teams'),
not from the page script, so they are tested once.
"""

from __future__ import annotations

from typing import Any

from adapters.web.render import render_reply
from bot.core.cards import Namer, card_actions, card_view, plain_name
from bot.core.reasons import describe_reason
from bot.core.types import Decision, HandoffStatus, Reply, Ticket, TicketKind
from bot.orchestration.collab import writes_first
from bot.orchestration.summary import describe

HEADLINES = {
    "answer": "Answered",
    "escalate": "Handed to a person",
    "draft": "Drafted for an agent",
    "ignore": "AI stayed silent",
}


def why(decision: Decision) -> dict[str, Any]:
    """A short line in plain words ("Answered from the knowledge base · confidence 0.82", "Handed to a person: The
    customer asked for a person.") plus the full trace. The reason code stays in the JSON for tools, never in the
    line people read."""
    data = describe(decision)
    return why_json(data["decision"], data["reason"], data["confidence"], data["articles"], data["trace"])


def why_json(
    kind: str, reason: str, confidence: float | None, articles: list[dict[str, Any]], trace: list[dict[str, Any]]
) -> dict[str, Any]:
    """The "why" from a decision's parts, so a stored decision (after a restart) reads like a live one."""
    sentence = describe_reason(reason)
    show_confidence = confidence is not None
    if kind == "answer" and reason == "answered":
        label = sentence.rstrip(".")
    elif kind == "answer":
        # A policy's own reply (e.g. "tell me more" after a first failure), not a knowledge-base answer.
        label = f"Replied: {sentence.rstrip('.')}"
        show_confidence = bool(articles)
    else:
        label = f"{HEADLINES[kind]}: {sentence.rstrip('.')}"
    if show_confidence:
        label += f" · confidence {confidence:.2f}"
    return {
        "label": label,
        "decision": kind,
        "reason": reason,
        "confidence": confidence,
        "articles": articles,
        "trace": trace,
    }


def ticket_buttons(ticket: Ticket, *, has_question: bool) -> list[dict[str, str]]:
    """The buttons the agent pane offers: the neutral card's (`bot.core.cards`), plus "Reply…" on a plain handoff
    (in Slack or Teams the agent answers in the customer's thread; the playground has no other place to type)."""
    if ticket.status is HandoffStatus.RESOLVED:
        return [{"kind": "rewrite", "label": "Did you rewrite?", "value": ""}] if has_question else []
    buttons = [{"kind": a.kind, "label": a.label, "value": a.value} for a in card_actions(ticket)]
    if ticket.kind is TicketKind.HANDOFF and not writes_first(ticket):
        at = next((i for i, b in enumerate(buttons) if b["kind"] in ("resolve", "hand_back")), len(buttons))
        buttons.insert(at, {"kind": "reply", "label": "Reply…", "value": ""})
    return buttons


def ticket_actions(ticket: Ticket, *, has_question: bool) -> list[str]:
    """The kinds of the buttons, once each (what an API client may POST)."""
    return list(dict.fromkeys(b["kind"] for b in ticket_buttons(ticket, has_question=has_question)))


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_json(ticket: Ticket, question_text: str | None, agent_name: str | None = None, names: Namer = plain_name) -> dict[str, Any]:
    handoff = ticket.handoff
    customer = handoff.customer
    suggestion = handoff.suggestion
    view = card_view(ticket, names)
    return {
        "id": ticket.id,
        "kind": ticket.kind.value,
        "status": ticket.status.value,
        "agent": ticket.agent,
        "agent_name": agent_name or ticket.agent,
        "thread": ticket.address.thread,
        "conversation_key": ticket.conversation_key,
        "title": view.headline,
        "kind_label": view.kind,
        "badges": list(view.badges),
        "status_text": view.status,
        "done": view.done,
        "done_at": _at(view.event.at) if view.event else None,
        "facts": [{"label": label, "value": value} for label, value in view.facts],
        "sections": [
            {"label": part.label, "text": part.text, "html": render_reply(Reply(part.text, part.citations))}
            for part in view.sections
        ],
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
        "customer": {"name": customer.name or customer.id, "org": customer.org_label} if customer else None,
        "suggestion": (
            {"text": suggestion.text, "html": render_reply(Reply(suggestion.text, suggestion.citations))}
            if suggestion is not None
            else None
        ),
        "proposal": (
            {"text": handoff.proposal.text, "alternative": handoff.proposal.alternative} if handoff.proposal else None
        ),
        "question": question_text,
        "actions": ticket_actions(ticket, has_question=question_text is not None),
        "buttons": ticket_buttons(ticket, has_question=question_text is not None),
        "created_at": _at(ticket.created_at),
        "claimed_at": _at(ticket.claimed_at),
        "resolved_at": _at(ticket.resolved_at),
    }
