"""Pure rendering of neutral replies and tickets as Teams messages: Adaptive Cards (schema 1.4, Universal Actions
`Action.Execute`) with a plain-text fallback (`summary`, the card's `fallbackText`), within Teams' size limits.

Every button carries `{"fd": kind, "v": value}`; the bot reads nothing else back, so a card cannot smuggle in a
different ticket or conversation than the one its value names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.core.cards import card_view
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


def ticket_card(ticket: Ticket, link: str = "", agent_name: str = "") -> dict[str, Any]:
    """The agents' card, from the same neutral card model Slack renders (`bot.core.cards.card_view`): the question
    as the headline, one "Why", who and where, the AI's draft or the agent's reply, what agents did, and the buttons
    that apply now. Teams has no modals, so a text box on the card takes what Slack asks for in a dialog."""
    view = card_view(ticket, lambda agent_id, name: name or agent_name or agent_id)
    top = " · ".join([view.kind, *view.badges, view.status])
    body: list[dict[str, Any]] = [
        _text(clip(view.headline, 300), weight="Bolder", size="Medium"),
        _text(f"**{clip(top, 500)}**", isSubtle=True, spacing="None"),
        _text(markdown(clip(view.summary, 4000))),
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in view.facts]},
    ]
    for part in view.sections:
        body.append(_text(f"**{part.label}**", spacing="Medium"))
        if part.text:
            body.append(_text(markdown(clip(part.text, 8000)), spacing="None"))
        body += sources(part.citations)
    done = [view.done] if view.done else []
    if link:
        done.append(f"[Open the customer's thread]({link})")
    if done:
        body.append(_text(" · ".join(done), isSubtle=True, size="Small"))
    body_inputs, actions = _inputs_and_actions(ticket, view.actions)
    fallback = f"{view.headline} — {view.kind}. {view.status}."
    return message(fallback, card(body + body_inputs, actions, fallback))


def _inputs_and_actions(ticket: Ticket, buttons: Sequence[Action]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Buttons as `Action.Execute`, with the text box each needs: the draft to edit (`answer`), the agent's own
    reply (`reply`); a pick carries its choice in the value ("<ticket>:<choice>")."""
    handoff = ticket.handoff
    inputs: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    kinds = {b.kind for b in buttons}
    for button in buttons:
        if button.kind == "edit":
            draft = handoff.suggestion.text if handoff.suggestion is not None else ""
            inputs.append(_box("answer", "Edit the answer", draft))
            actions.append(execute("edit", "Send edited answer", ticket.id))
        elif button.kind == "pick":
            if button.value == "edited":
                wording = handoff.proposal.alternative if handoff.proposal is not None else ""
                inputs.append(_box("answer", "Edit the AI's wording", wording))
            actions.append(execute("pick", button.label, f"{ticket.id}:{button.value}", button.style))
        elif button.kind == "write":
            inputs.append(_box("reply", "Your reply to the customer", ""))
            actions.append(execute("write", button.label, ticket.id, button.style))
        else:
            actions.append(execute(button.kind, button.label, ticket.id, button.style))
    if ticket.status is not HandoffStatus.RESOLVED and ticket.kind is TicketKind.HANDOFF and "write" not in kinds:
        inputs.append(_box("reply", "Reply to the customer", ""))
        actions.append(execute("reply", "Reply", ticket.id))
    return inputs, actions


def _box(name: str, label: str, value: str) -> dict[str, Any]:
    box: dict[str, Any] = {"type": "Input.Text", "id": name, "isMultiline": True, "label": label, "maxLength": 3000}
    if value:
        box["value"] = clip(value, 3000)
    else:
        box["placeholder"] = "Your reply, posted in the customer's thread"
    return box


def notice(text: str) -> dict[str, Any]:
    return message(text)
