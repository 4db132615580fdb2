"""Grading QA sample answers in Slack: a grade button records the grade at once and opens a box for an optional
note; the message then shows who graded it how (the buttons stay, so a reviewer can change their mind).

The grade itself is recorded by `bot.orchestration.qa_grades` (platform-neutral); this module only speaks Slack.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import clip
from adapters.slack.host import Host
from adapters.slack.inbound import Us, action_user
from bot.core.types import Actor
from bot.orchestration.qa_grades import NOTE_LIMIT, Graded, parse, record

log = logging.getLogger(__name__)

QA_VIEW = "fd_qa_note"
NOTE_BLOCK, NOTE_ACTION = "fd_qa_note_block", "fd_qa_note_input"
GRADED_BLOCK = "fd_qa_graded"


def note_modal(graded: Graded) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": QA_VIEW,
        "private_metadata": json.dumps({"v": graded.value()}, separators=(",", ":")),
        "title": {"type": "plain_text", "text": "QA grade recorded"},
        "submit": {"type": "plain_text", "text": "Save note"},
        "close": {"type": "plain_text", "text": "No note"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Recorded: *{graded.label}*. Add a note for the "
                                         "article's owner if you like (what is wrong, what is missing)."}},
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Note (optional)"},
                "element": {"type": "plain_text_input", "action_id": NOTE_ACTION, "multiline": True,
                            "max_length": NOTE_LIMIT},
            },
        ],
    }


def note_text(view: dict[str, Any]) -> str:
    field = (((view.get("state") or {}).get("values") or {}).get(NOTE_BLOCK) or {}).get(NOTE_ACTION) or {}
    return str(field.get("value") or "")


class QaGrading:
    def __init__(self, app: Host, client: AsyncWebClient) -> None:
        self.app = app
        self.client = client

    async def on_grade(self, value: str, actor: Actor, body: dict[str, Any]) -> None:
        """Record the grade, show it on the message, and offer the note box (the grade stands without it)."""
        graded = parse(value)
        await record(self.app.store, graded, actor.id, datetime.now(UTC))
        await self._mark(body, graded, actor)
        try:
            await self.client.views_open(trigger_id=body["trigger_id"], view=note_modal(graded))
        except (SlackApiError, KeyError):
            log.warning("could not open the QA note box; the grade is recorded without a note")

    async def _mark(self, body: dict[str, Any], graded: Graded, actor: Actor) -> None:
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        message = body.get("message") or {}
        blocks = [b for b in message.get("blocks") or [] if b.get("block_id") != GRADED_BLOCK]
        if not (channel and ts and blocks):
            return
        line = f"Graded *{graded.label}* by <@{actor.id}>. Press another grade to change it."
        blocks.append({"type": "context", "block_id": GRADED_BLOCK, "elements": [{"type": "mrkdwn", "text": line}]})
        try:
            await self.client.chat_update(channel=channel, ts=ts, blocks=blocks,
                                          text=clip(str(message.get("text") or line), 3000))
        except SlackApiError as exc:
            log.warning("could not mark the graded QA item: %s", exc.response.get("error"))

    async def on_note(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], us: Us) -> None:
        await ack()
        actor = action_user(body, us)
        note = note_text(view).strip()
        if not note or actor.is_external:
            return
        try:
            graded = parse(str(json.loads(view.get("private_metadata") or "{}").get("v") or ""))
        except (ValueError, AttributeError):
            log.warning("a QA note arrived without its grade; ignored")
            return
        await record(self.app.store, graded, actor.id, datetime.now(UTC), note)

