"""Pure rendering of neutral replies and tickets as Teams messages: Adaptive Cards (schema 1.4, Universal Actions
`Action.Execute`) with a plain-text fallback (`summary`, the card's `fallbackText`), within Teams' size limits.

Every button carries `{"fd": kind, "v": value}`; the bot reads nothing else back, so a card cannot smuggle in a
different ticket or conversation than the one its value names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.core.cards import card_actions
from bot.core.reasons import describe_reason
from bot.core.types import Action, Citation, HandoffStatus, Reply, Ticket, TicketKind
from bot.orchestration.handoff import HUMAN_REASONS

CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
TEXT_LIMIT = 20_000  # Teams refuses messages over ~28 KB; leave room for the rest of the card
SUMMARY_LIMIT = 280
VERB = "fd"

_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def markdown(text: str) -> str:
    """Markdown-lite (*bold*, _italic_, `code`, [links](url)) as the Markdown subset Adaptive Cards render."""
    return _BOLD.sub(r"**\1**", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def execute(kind: str, label: str, value: str = "", style: str = "", **data: str) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Execute", "title": label, "verb": VERB, "data": {"fd": kind, "v": value, **data}}
    if style in ("primary", "danger"):
        action["style"] = "positive" if style == "primary" else "destructive"
    return action


def _actions(actions: Sequence[Action], values: Sequence[str] | None = None) -> list[dict[str, Any]]:
    return [execute(a.kind, a.label, values[i] if values else a.value, a.style) for i, a in enumerate(actions)]


def sources(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    if not citations:
        return []
    lines = [f"- [{c.title}]({c.url})" if c.url else f"- {c.title}" for c in citations]
    return [_text("**Sources**", spacing="Medium", size="Small"), _text("\n".join(lines), size="Small", spacing="None")]


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "fallbackText": clip(fallback, TEXT_LIMIT),
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = actions
    return content


def message(text: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    """A message activity: the card when there is one, and always a plain-text summary for notifications."""
    activity: dict[str, Any] = {"type": "message", "summary": clip(text, SUMMARY_LIMIT)}
    if content is None:
        activity.update(text=markdown(clip(text, TEXT_LIMIT)), textFormat="markdown")
    else:
        activity["attachments"] = [{"contentType": CARD, "content": content}]
    return activity


def reply(reply: Reply, values: Sequence[str] | None = None) -> dict[str, Any]:
    """A customer-facing reply: the answer, its sources, and its buttons (Helpful / Not helpful / Talk to a person)."""
    if not reply.citations and not reply.actions:
        return message(reply.text)
    body = [_text(markdown(clip(reply.text, TEXT_LIMIT))), *sources(reply.citations)]
    return message(reply.text, card(body, _actions(reply.actions, values), reply.text))


def reason_prompt() -> dict[str, Any]:
    """After the one-click handoff: an optional reason, never a condition of it."""
    buttons = [execute("reason", label, value) for value, label in HUMAN_REASONS]
    text = "A person from the team will reply here. If you like, tell us what it is about (optional):"
    return message(text, card([_text(text)], buttons, text))


def _title(ticket: Ticket) -> str:
    if ticket.kind is TicketKind.DRAFT:
        return "AI draft waiting for approval"
    return f"{'VIP ' if ticket.handoff.vip else ''}Handoff: a customer needs a person"


def status_line(ticket: Ticket, agent_name: str = "") -> str:
    agent = agent_name or "an agent"
    match ticket.status:
        case HandoffStatus.OPEN:
            return "Waiting for an agent" if ticket.kind is TicketKind.HANDOFF else "Waiting for approval"
        case HandoffStatus.CLAIMED:
            return f"Claimed by {agent}"
        case HandoffStatus.RESOLVED:
            return f"{'Sent' if ticket.kind is TicketKind.DRAFT else 'Resolved'} by {agent}"


def ticket_card(ticket: Ticket, link: str = "", agent_name: str = "") -> dict[str, Any]:
    """The agents' card: what they need to act without opening the thread, and the buttons that apply now."""
    handoff = ticket.handoff
    customer = handoff.customer
    reason = describe_reason(handoff.reason)
    if handoff.customer_reason:
        reason += f"\n\nCustomer's reason: {handoff.customer_reason}"
    if handoff.reported:
        reason += "\n\nReported to the Frontdesk admins (threat or abuse)."
    facts = [
        ("Customer", (customer.name or customer.id) if customer else "unknown"),
        ("Org", customer.org if customer and customer.org else "—"),
        ("VIP", "yes" if handoff.vip else "no"),
        ("Language", handoff.language or "—"),
        ("Sentiment", handoff.sentiment or "—"),
        ("Team · priority", f"{handoff.team or '—'} · {handoff.priority.value}"),
    ]
    status = status_line(ticket, agent_name)
    body: list[dict[str, Any]] = [
        _text(_title(ticket), weight="Bolder", size="Medium"),
        _text(f"**Why:** {markdown(reason)}"),
        _text(markdown(clip(handoff.summary, 4000))),
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]},
        _text(f"**{status}**" + (f" · [Open the customer's thread]({link})" if link else ""), isSubtle=True),
    ]
    if handoff.suggestion is not None:
        body += [_text("**AI suggestion**", spacing="Medium"), _text(markdown(clip(handoff.suggestion.text, 8000)))]
        body += sources(handoff.suggestion.citations)
    actions: list[dict[str, Any]] = []
    for button in card_actions(ticket):
        if button.kind == "edit":
            continue  # the edit box below replaces Slack's modal
        actions.append(execute(button.kind, button.label, ticket.id, button.style))
    if ticket.status is not HandoffStatus.RESOLVED:
        if handoff.suggestion is not None:
            body.append({"type": "Input.Text", "id": "answer", "isMultiline": True, "label": "Edit the answer",
                         "value": clip(handoff.suggestion.text, 3000), "maxLength": 3000})
            actions.append(execute("edit", "Send edited answer", ticket.id))
        if ticket.kind is TicketKind.HANDOFF:
            body.append({"type": "Input.Text", "id": "reply", "isMultiline": True, "label": "Reply to the customer",
                         "placeholder": "Your reply, posted in the customer's thread", "maxLength": 3000})
            actions.append(execute("reply", "Reply", ticket.id))
    fallback = f"{_title(ticket)} — {status}. {clip(handoff.summary, 300)}"
    return message(fallback, card(body, actions, fallback))


def notice(text: str) -> dict[str, Any]:
    return message(text)
