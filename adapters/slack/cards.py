"""Pure rendering of the agents' side: handoff / draft cards, and the modals (reason for a human, write or edit).

The card's content and buttons come from the platform-neutral `bot.core.cards.card_view` (Teams and the playground
render the same view); this module only turns it into Block Kit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from adapters.slack.blocks import (
    BLOCK_LIMIT,
    SECTION_LIMIT,
    Block,
    SlackMessage,
    actions_blocks,
    chunks,
    clip,
    escape,
    mrkdwn,
    section,
    sources_block,
)
from bot.core.cards import card_view
from bot.core.types import Action, Citation, DeskEvent, Ticket
from bot.orchestration.handoff import HUMAN_REASONS

HUMAN_VIEW = "fd_human"
EDIT_VIEW = "fd_edit"
REASON_BLOCK, REASON_ACTION = "reason", "choice"
ANSWER_BLOCK, ANSWER_ACTION = "answer", "text"

REASON_VALUES = frozenset(value for value, _ in HUMAN_REASONS)


def _name(agent_id: str, agent_name: str) -> str:
    """Agents are named by mention, which Slack shows as their current display name."""
    return f"<@{agent_id}>" if agent_id else agent_name


_LABEL = re.compile(r"^([A-Z][\w' ]{1,30}):\s")


def _summary(text: str) -> str:
    """The summary's "Asked:", "AI answered:", "Why:" labels in bold, the rest as written (escaped)."""
    return "\n".join(_LABEL.sub(lambda m: f"*{m.group(1)}:* ", mrkdwn(line)) for line in text.splitlines())


def _when(event: DeskEvent) -> str:
    """The time in each reader's own time zone (Slack's date formatting), with a UTC fallback."""
    stamp = int(event.at.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{event.at:%Y-%m-%d %H:%M} UTC>"


def _references(citations: Sequence[Citation]) -> str:
    lines = []
    for c in citations[:4]:
        title = escape(c.title or c.article_id).replace("|", "/")
        head = f"<{c.url}|{title}>" if c.url else f"*{title}*"
        lines.append(f"• {head}" + (f" — {mrkdwn(clip(c.snippet, 300))}" if c.snippet else ""))
    return "\n".join(lines)


def _value(ticket: Ticket, action: Action) -> str:
    return f"{ticket.id}:{action.value}" if action.kind == "pick" else ticket.id


def card(ticket: Ticket, permalink: str = "") -> SlackMessage:
    """The handoff card: the customer's question as the headline, the summary (one "Why:"), who and where, what
    the AI drafted or the agent wrote, the references, what agents did (who, when), and the buttons that apply."""
    view = card_view(ticket, _name)
    customer = ticket.handoff.customer
    top = " · ".join([f"*{escape(view.kind)}*", *(escape(b) for b in view.badges), mrkdwn(view.status)])
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(escape(clip(view.headline, 140)), 150)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(top, 2000)}]},
    ]
    blocks.extend(section(piece) for piece in chunks(_summary(view.summary))[:4])
    facts = [
        f"*{label}*\n{f'<@{customer.id}>' if label == 'Customer' and customer and customer.id else escape(value)}"
        for label, value in view.facts
    ]
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 2000)} for f in facts]})
    for part in view.sections:
        body = mrkdwn(part.text) if part.text else _references(part.citations)
        pieces = chunks(body, SECTION_LIMIT - 80)
        more = " _(continues in the edit view)_" if len(pieces) > 1 else ""
        blocks.append(section(f"*{mrkdwn(part.label)}*\n{pieces[0] if pieces else ''}{more}"))
        if part.text and part.citations:
            sources = sources_block(part.citations)
            if sources:
                blocks.append(sources)
    context = [mrkdwn(view.done) + f" ({_when(view.event)})"] if view.event else []
    if permalink or ticket.handoff.transcript_link:
        context.append(f"<{permalink or ticket.handoff.transcript_link}|Open the customer's thread>")
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(" · ".join(context), 2000)}]})
    values = [_value(ticket, a) for a in view.actions]
    blocks.extend(actions_blocks(view.actions, values, block="fd_card"))
    text = f"{view.headline} — {view.kind}. {view.status}."
    return SlackMessage(mrkdwn(clip(text, 300)), tuple(blocks[:BLOCK_LIMIT]))


def admin_report(ticket: Ticket, permalink: str = "") -> SlackMessage:
    """The direct message admins get when a customer's message was a threat or abuse (MISSION §5)."""
    who = ticket.handoff.customer
    name = f"{who.name or who.id}{f' ({who.org_label})' if who.org_label else ''}" if who else "a customer"
    link = f" <{permalink}|Open the thread>." if permalink else ""
    text = f"Reported for review: a message from {escape(name)} was flagged as a threat or abuse and handed to the {escape(ticket.handoff.team or 'support')} team.{link}"
    return SlackMessage(text, (section(clip(text, SECTION_LIMIT)),))


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit)}


def human_modal(metadata: dict[str, str], reasons: Sequence[tuple[str, str]] = HUMAN_REASONS) -> dict[str, Any]:
    """Asks why the customer wants a person, after the handoff already happened; the reason only adds detail."""
    return {
        "type": "modal",
        "callback_id": HUMAN_VIEW,
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "title": _plain("Talk to a person", 24),
        "submit": _plain("Add the reason", 24),
        "close": _plain("Skip", 24),
        "blocks": [
            section("Done: a person from the team will reply in your thread. You can tell them what it is about."),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "optional": True,
                "label": _plain("What do you need help with? (optional)", 2000),
                "element": {
                    "type": "static_select",
                    "action_id": REASON_ACTION,
                    "placeholder": _plain("Choose a reason", 150),
                    "options": [{"text": _plain(label, 75), "value": value} for value, label in reasons],
                },
            },
        ],
    }


MODALS = {
    # purpose: (title, submit, label)
    "edit": ("Edit the answer", "Send to customer", "Answer the customer will see"),
    "write": ("Write your reply", "Continue", "Your reply to the customer"),
    "edited": ("Edit the AI's wording", "Send to customer", "Answer the customer will see"),
}


def edit_modal(ticket: Ticket, purpose: str = "edit") -> dict[str, Any]:
    """The text modal for the AI's draft ("edit"), the agent's own reply ("write", with the AI's references shown
    above it) or the AI's wording of that reply ("edited")."""
    handoff = ticket.handoff
    initial = {
        "edit": handoff.suggestion.text if handoff.suggestion else "",
        "write": handoff.proposal.text if handoff.proposal else "",
        "edited": handoff.proposal.alternative if handoff.proposal else "",
    }[purpose]
    title, submit, label = MODALS[purpose]
    blocks: list[Block] = []
    if purpose == "write" and handoff.cited:
        blocks.append(section(clip(f"*References the AI found*\n{_references(handoff.cited)}", SECTION_LIMIT)))
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ANSWER_ACTION, "multiline": True, "max_length": 3000}
    if initial:
        element["initial_value"] = initial[:3000]
    blocks.append({"type": "input", "block_id": ANSWER_BLOCK, "label": _plain(label, 2000), "element": element})
    return {
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "private_metadata": json.dumps({"t": ticket.id, "p": purpose}, separators=(",", ":")),
        "title": _plain(title, 24),
        "submit": _plain(submit, 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def modal_purpose(view: dict[str, Any]) -> tuple[str, str]:
    """(ticket id, purpose) of a submitted text modal; a modal opened before purposes existed edits a draft."""
    raw = str(view.get("private_metadata") or "")
    try:
        meta = json.loads(raw) if raw.startswith("{") else {"t": raw}
    except ValueError:
        meta = {"t": raw}
    purpose = str(meta.get("p") or "edit")
    return str(meta.get("t") or ""), purpose if purpose in MODALS else "edit"


def selected_reason(view: dict[str, Any]) -> str | None:
    option = (((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK) or {}).get(REASON_ACTION) or {}
    value = (option.get("selected_option") or {}).get("value")
    return value if value in REASON_VALUES else None


def edited_text(view: dict[str, Any]) -> str:
    field = (((view.get("state") or {}).get("values") or {}).get(ANSWER_BLOCK) or {}).get(ANSWER_ACTION) or {}
    return str(field.get("value") or "")
