"""Pure rendering of the agents' side: handoff / draft cards, and the two modals (reason for a human, edit a draft).

A card shows what an agent needs to act without scrolling the customer's thread (summary, reason, customer, org,
VIP, language, sentiment, a permalink) and only the buttons that apply to the ticket's kind and status.
"""

from __future__ import annotations

import json
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
from bot.core.types import Action, HandoffStatus, Ticket, TicketKind
from bot.orchestration.handoff import HUMAN_REASONS, describe_reason

HUMAN_VIEW = "fd_human"
EDIT_VIEW = "fd_edit"
REASON_BLOCK, REASON_ACTION = "reason", "choice"
ANSWER_BLOCK, ANSWER_ACTION = "answer", "text"

REASON_VALUES = frozenset(value for value, _ in HUMAN_REASONS)


def _title(ticket: Ticket) -> str:
    if ticket.kind is TicketKind.DRAFT:
        return "AI draft waiting for approval"
    vip = "VIP " if ticket.handoff.vip else ""
    return f"{vip}Handoff: a customer needs a person"


def _status_line(ticket: Ticket) -> str:
    agent = f"<@{ticket.agent}>" if ticket.agent else "an agent"
    match ticket.status:
        case HandoffStatus.OPEN:
            return "Waiting for an agent" if ticket.kind is TicketKind.HANDOFF else "Waiting for approval"
        case HandoffStatus.CLAIMED:
            return f":raising_hand: Claimed by {agent}"
        case HandoffStatus.RESOLVED:
            verb = "Sent" if ticket.kind is TicketKind.DRAFT else "Resolved"
            return f":white_check_mark: {verb} by {agent}"


def card_actions(ticket: Ticket) -> tuple[Action, ...]:
    """The buttons that make sense for this ticket now."""
    has_draft = ticket.handoff.suggestion is not None
    if ticket.status is HandoffStatus.RESOLVED:
        return ()
    if ticket.kind is TicketKind.DRAFT:
        return (Action("approve", "Approve", style="primary"), Action("edit", "Edit"), Action("reject", "Reject", style="danger"))
    first = Action("claim", "Claim", style="primary") if ticket.status is HandoffStatus.OPEN else Action("resolve", "Resolve", style="primary")
    if has_draft:
        return (first, Action("approve", "Send suggestion"), Action("edit", "Edit suggestion"))
    return (first,)


def card(ticket: Ticket, permalink: str = "") -> SlackMessage:
    handoff = ticket.handoff
    customer = handoff.customer
    who = f"<@{customer.id}>" if customer and customer.id else "unknown"
    org = escape(customer.org) if customer and customer.org else "—"
    fields = [
        f"*Customer*\n{who}",
        f"*Org*\n{org}",
        f"*VIP*\n{'yes' if handoff.vip else 'no'}",
        f"*Language*\n{escape(handoff.language or '—')}",
        f"*Sentiment*\n{escape(handoff.sentiment or '—')}",
        f"*Team · priority*\n{escape(handoff.team or '—')} · {handoff.priority.value}",
    ]
    reason = describe_reason(handoff.reason)
    if handoff.customer_reason:
        reason += f"\nCustomer's reason: {handoff.customer_reason}"
    if handoff.reported:
        reason += "\n:rotating_light: Reported to the Frontdesk admins (threat or abuse)."
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(_title(ticket), 150)}},
        section(clip(f"*Why:* {mrkdwn(reason)}", SECTION_LIMIT)),
    ]
    blocks.extend(section(piece) for piece in chunks(mrkdwn(handoff.summary))[:6])
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 2000)} for f in fields]})
    link = permalink or handoff.transcript_link
    context = [_status_line(ticket)]
    if link:
        context.append(f"<{link}|Open the customer's thread>")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]})
    if handoff.suggestion is not None:
        draft = chunks(mrkdwn(handoff.suggestion.text), SECTION_LIMIT - 40)
        body = draft[0] + (" _(continues in the edit view)_" if len(draft) > 1 else "")
        blocks.append(section(f"*AI suggestion*\n{body}"))
        sources = sources_block(handoff.suggestion.citations)
        if sources:
            blocks.append(sources)
    buttons = card_actions(ticket)
    blocks.extend(actions_blocks(buttons, [ticket.id] * len(buttons), block="fd_card"))
    text = f"{_title(ticket)} — {_status_line(ticket)}. {clip(handoff.summary, 300)}"
    return SlackMessage(escape(text), tuple(blocks[:BLOCK_LIMIT]))


def admin_report(ticket: Ticket, permalink: str = "") -> SlackMessage:
    """The direct message admins get when a customer's message was a threat or abuse (MISSION §5)."""
    who = ticket.handoff.customer
    name = f"{who.name or who.id}{f' ({who.org})' if who.org else ''}" if who else "a customer"
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


def edit_modal(ticket: Ticket) -> dict[str, Any]:
    draft = ticket.handoff.suggestion.text if ticket.handoff.suggestion else ""
    return {
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "private_metadata": ticket.id,
        "title": _plain("Edit the answer", 24),
        "submit": _plain("Send to customer", 24),
        "close": _plain("Cancel", 24),
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": _plain("Answer the customer will see", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_ACTION,
                    "multiline": True,
                    "max_length": 3000,
                    "initial_value": draft[:3000],
                },
            }
        ],
    }


def selected_reason(view: dict[str, Any]) -> str | None:
    option = (((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK) or {}).get(REASON_ACTION) or {}
    value = (option.get("selected_option") or {}).get("value")
    return value if value in REASON_VALUES else None


def edited_text(view: dict[str, Any]) -> str:
    field = (((view.get("state") or {}).get("values") or {}).get(ANSWER_BLOCK) or {}).get(ANSWER_ACTION) or {}
    return str(field.get("value") or "")
