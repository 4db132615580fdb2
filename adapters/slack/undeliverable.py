"""What people read when a reply to a customer could not be delivered: one sentence on why, and the reply itself.

`SlackAgentDesk.reply_undeliverable` posts this to the default agents channel and sends it to each admin directly
(bot.orchestration.fallback). The outbox worker's error is a technical line ("DeliveryError: Slack
chat.postMessage failed: channel_not_found (HTTP 200)"); people get a sentence instead, the code only in brackets.
"""

from __future__ import annotations

import re

from adapters.slack.blocks import SlackMessage
from bot.core.outbox import OutboxItem

REASONS = {
    "channel_not_found": "the customer's channel no longer exists, or Frontdesk is no longer in it",
    "not_in_channel": "Frontdesk is not a member of the customer's channel any more",
    "is_archived": "the customer's channel was archived",
    "restricted_action": "the customer's workspace does not let Frontdesk post there",
    "cannot_reply_to_message": "Slack does not allow replies in that thread",
    "msg_too_long": "the reply is longer than Slack accepts",
    "invalid_blocks": "Slack refused the reply's layout",
    "invalid_auth": "Slack no longer accepts Frontdesk's token",
    "token_revoked": "Frontdesk's Slack token was revoked",
    "account_inactive": "Frontdesk's Slack app was deactivated",
    "missing_scope": "Frontdesk's Slack app lacks a permission it needs to post",
    "ratelimited": "Slack kept limiting how fast Frontdesk may post",
}
CLIP = 2500  # characters of the reply shown (a Slack section holds 3000)


def reason_sentence(error: str) -> str:
    """Why, in words: a known Slack error code, else what kind of failure the worker kept seeing."""
    for code, reason in REASONS.items():
        if re.search(rf"\b{code}\b", error):
            return f"{reason} ({code})"
    if "HTTP 429" in error:
        return f"{REASONS['ratelimited']} (HTTP 429)"
    status = re.search(r"HTTP (5\d\d)", error)
    if status:
        return f"Slack kept failing with a server error (HTTP {status.group(1)})"
    if "Timeout" in error or "timed out" in error:
        return "Slack did not answer in time, again and again"
    return "Slack kept refusing it or could not be reached"


def reply_alert(item: OutboxItem, error: str, link: str = "") -> SlackMessage:
    """The card (and admin message): where, why, and the reply's text so a person can send it another way."""
    where = f"<{link}|the customer's thread>" if link else f"the customer's thread in <#{item.address.channel}>"
    lead = f"Frontdesk could not deliver a reply to {where}, because {reason_sentence(error)}. Please reach the customer another way."
    text = (item.reply.text if item.reply is not None else "").strip()
    shown = text if len(text) <= CLIP else text[: CLIP - 1] + "…"
    quoted = "\n".join(f"> {line}" for line in shown.splitlines()) or "> (no text)"
    blocks = (
        {"type": "section", "text": {"type": "mrkdwn", "text": lead}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"The reply was:\n{quoted}"}},
    )
    return SlackMessage(f"{lead}\nThe reply was: {shown}", blocks)
