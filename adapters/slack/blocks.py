"""Pure rendering of neutral `Reply`s into Slack messages (Block Kit + text fallback), within Slack's limits.

Limits (https://api.slack.com/reference/block-kit/blocks, https://api.slack.com/methods/chat.postMessage):
a section's text is at most 3,000 characters, a message at most 50 blocks and 40,000 characters of text, an actions
block at most 25 elements, a button label 75 characters and its value 2,000. Long replies are split into several
messages (sources and buttons go on the last one); beyond `MAX_MESSAGES` the text is truncated with a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.types import Action, Citation, Reply

SECTION_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 40_000
BLOCK_LIMIT = 50
ACTIONS_LIMIT = 25
BUTTON_LABEL_LIMIT = 75
VALUE_LIMIT = 2000
FALLBACK_LIMIT = 3000
MAX_MESSAGES = 5
ACTION_PREFIX = "fd:"
# Per message: text sections must leave room for the context and actions blocks.
_SECTIONS_PER_MESSAGE = min(BLOCK_LIMIT - 2, MESSAGE_TEXT_LIMIT // SECTION_LIMIT)

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # notification / accessibility fallback, always present
    blocks: tuple[Block, ...]


_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
# A user mention is how the adapter names agents ("<@U123> is looking at this"); broadcasts (<!channel>) never pass.
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9_]+)&gt;")


def escape(text: str) -> str:
    """Slack's three control characters; this also stops quoted text from pinging <!channel>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Markdown-lite (*bold*, _italic_, `code`, [links](url)) as Slack mrkdwn. Bold and italic already match."""
    escaped = _MENTION.sub(r"<@\1>", escape(text))
    return _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", escaped)


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no piece exceeds `limit` characters."""
    out: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 2:
            cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        piece = rest[:cut].rstrip()
        # Never end a piece inside a <url|label> link.
        opened = piece.rfind("<")
        if opened > piece.rfind(">") and opened > 0:
            piece = piece[:opened].rstrip()
            cut = opened
        out.append(piece)
        rest = rest[cut:].strip()
    if rest:
        out.append(rest)
    return out


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def action_id(kind: str, index: int) -> str:
    return f"{ACTION_PREFIX}{kind}:{index}"


def parse_action_id(value: str) -> str:
    """The neutral action kind of one of our buttons (`fd:claim:0` -> `claim`)."""
    if not value.startswith(ACTION_PREFIX):
        return ""
    return value[len(ACTION_PREFIX) :].split(":", 1)[0]


def button(action: Action, index: int, value: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id(action.kind, index),
        "text": {"type": "plain_text", "text": clip(action.label or action.kind, BUTTON_LABEL_LIMIT), "emoji": False},
        "value": clip(value if value is not None else action.value, VALUE_LIMIT),
    }
    if action.style in ("primary", "danger"):
        element["style"] = action.style
    return element


def actions_blocks(actions: Sequence[Action], values: Sequence[str] | None = None, block: str = "fd_actions") -> list[Block]:
    """Buttons in actions blocks of at most 25 elements each."""
    out: list[Block] = []
    buttons = [button(a, i, values[i] if values else None) for i, a in enumerate(actions)]
    for start in range(0, len(buttons), ACTIONS_LIMIT):
        out.append({"type": "actions", "block_id": f"{block}_{start // ACTIONS_LIMIT}", "elements": buttons[start : start + ACTIONS_LIMIT]})
    return out


def sources_block(citations: Sequence[Citation], label: str = "") -> Block | None:
    if not citations:
        return None
    links = []
    for cite in citations:
        title = escape(cite.title or cite.article_id).replace("|", "/")
        links.append(f"<{cite.url}|{title}>" if cite.url else title)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(f"{label or 'Sources'}: " + " · ".join(links), SECTION_LIMIT)}]}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def render(reply: Reply, *, values: Sequence[str] | None = None) -> list[SlackMessage]:
    """One or more Slack messages for a reply; `values` optionally overrides each action's button value."""
    pieces = chunks(mrkdwn(reply.text)) or [" "]
    limit = _SECTIONS_PER_MESSAGE * MAX_MESSAGES
    if len(pieces) > limit:
        pieces = pieces[:limit]
        more = f" <{reply.citations[0].url}|Read the full article>" if reply.citations and reply.citations[0].url else ""
        pieces[-1] = clip(pieces[-1], SECTION_LIMIT - 80 - len(more)) + " _(truncated)_" + more
    groups = [pieces[i : i + _SECTIONS_PER_MESSAGE] for i in range(0, len(pieces), _SECTIONS_PER_MESSAGE)]
    messages = []
    for number, group in enumerate(groups):
        blocks: list[Block] = [section(p) for p in group]
        if number == len(groups) - 1:
            sources = sources_block(reply.citations, reply.sources_label)
            if sources:
                blocks.append(sources)
            blocks.extend(actions_blocks(reply.actions, values))
        fallback = clip("\n".join(group), FALLBACK_LIMIT) or " "
        messages.append(SlackMessage(fallback, tuple(blocks[:BLOCK_LIMIT])))
    return messages
