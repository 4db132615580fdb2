"""Renders a neutral `Reply` as a safe HTML fragment for the playground (the web adapter's `render`).

Everything that came from outside (customer text echoed back, KB text, agent replies, citation titles, URLs) is
escaped here; the page inserts only this server-rendered HTML and uses `textContent` for everything else. Links
are kept only for http, https and mailto, so a `javascript:` or `data:` URL in an article never becomes clickable.

Markdown-lite, as `Reply` documents it: *bold* (and **bold**), _italic_, `code`, [text](url), Slack-style
<url|text> and <url>, bare http(s) URLs, "- " / "• " bullet lists, "1. " numbered lists, blank-line paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import urlsplit

from bot.core.types import Action, Citation, Reply

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
FEEDBACK_KINDS = frozenset({"helpful", "not_helpful"})

_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|\[(?P<mtext>[^\]\n]+)\]\((?P<murl>[^)\s]+)\)"
    r"|<(?P<surl>(?:https?|mailto):[^|>\s]+)(?:\|(?P<stext>[^>\n]+))?>"
    r"|(?P<bare>https?://[^\s<>\"']+)"
    r"|\*\*(?P<strong2>\S(?:[^*\n]*?\S)?)\*\*"
    r"|(?<![\w*])\*(?P<strong>\S(?:[^*\n]*?\S)?)\*(?![\w*])"
    r"|(?<![\w])_(?P<em>\S(?:[^_\n]*?\S)?)_(?![\w])"
)
_BULLET = re.compile(r"^\s*(?:[-*•])\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_TRAILING_PUNCT = ".,;:!?)"


def safe_url(url: str) -> str | None:
    """The URL if it is absolute and uses an allowed scheme, else None (rendered as plain text)."""
    url = url.strip()
    if not url or any(ord(ch) < 0x21 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url


def link(url: str, text: str) -> str:
    """An anchor for a safe URL; the escaped text alone for anything else."""
    safe = safe_url(url)
    label = escape(text)
    if safe is None:
        return label
    return f'<a href="{escape(safe, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{label}</a>'


def render_inline(text: str) -> str:
    """One line of markdown-lite to HTML; unmatched text is escaped."""
    out: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[pos : match.start()]))
        pos = match.end()
        groups = match.groupdict()
        if groups["code"]:
            out.append(f"<code>{escape(groups['code'][1:-1])}</code>")
        elif groups["murl"]:
            out.append(link(groups["murl"], groups["mtext"]))
        elif groups["surl"]:
            out.append(link(groups["surl"], groups["stext"] or groups["surl"]))
        elif groups["bare"]:
            url = groups["bare"]
            trail = ""
            while url and url[-1] in _TRAILING_PUNCT:
                trail = url[-1] + trail
                url = url[:-1]
            out.append(link(url, url) + escape(trail))
        elif groups["strong2"] or groups["strong"]:
            out.append(f"<strong>{render_inline(groups['strong2'] or groups['strong'])}</strong>")
        elif groups["em"]:
            out.append(f"<em>{render_inline(groups['em'])}</em>")
    out.append(escape(text[pos:]))
    return "".join(out)


def render_text(text: str) -> str:
    """Markdown-lite text to block HTML: paragraphs, line breaks and lists."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(render_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        item = bullet or numbered
        if item:
            tag = "ul" if bullet else "ol"
            flush_paragraph()
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append(render_inline(item.group(1)))
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return "".join(blocks)


def render_citations(citations: Iterable[Citation], label: str = "") -> str:
    seen: set[str] = set()
    items: list[str] = []
    for citation in citations:
        key = citation.article_id or citation.title
        if key in seen:
            continue
        seen.add(key)
        title = citation.title or citation.article_id
        anchor = link(citation.url, title) if citation.url else escape(title)
        snippet = f'<span class="fd-snippet">{escape(citation.snippet)}</span>' if citation.snippet else ""
        items.append(f"<li>{anchor}{snippet}</li>")
    if not items:
        return ""
    return f'<div class="fd-sources"><span class="fd-sources-label">{escape(label or "Sources")}</span><ol>{"".join(items)}</ol></div>'


def _button(action: Action, *, disabled: bool = False, aria: str = "") -> str:
    style = f" fd-btn-{escape(action.style, quote=True)}" if action.style else ""
    label = escape(action.label or action.kind)
    extra = f' aria-label="{escape(aria, quote=True)}"' if aria else ""
    extra += " disabled" if disabled else ""
    return (
        f'<button type="button" class="fd-btn fd-act-{escape(action.kind, quote=True)}{style}"'
        f' data-kind="{escape(action.kind, quote=True)}" data-value="{escape(action.value, quote=True)}"{extra}>'
        f"{label}</button>"
    )


def render_actions(actions: Iterable[Action], pressed: Iterable[str] = ()) -> str:
    """Buttons as the customer sees them; `pressed` (e.g. "helpful", "human", "csat:4") shows what was done."""
    done = set(pressed)
    actions = tuple(actions)
    parts: list[str] = []
    feedback = [a for a in actions if a.kind in FEEDBACK_KINDS]
    if feedback:
        given = done & FEEDBACK_KINDS
        if given:
            word = "helpful" if "helpful" in given else "not helpful"
            parts.append(f'<span class="fd-done">Thanks — you marked this {word}.</span>')
        else:
            parts.extend(_button(a) for a in feedback)
    csat = [a for a in actions if a.kind == "csat"]
    if csat:
        rated = next((p.split(":", 1)[1] for p in sorted(done) if p.startswith("csat:")), None)
        if rated is not None:
            parts.append(f'<span class="fd-done">Thanks — you rated this {escape(rated)} out of 5.</span>')
        else:
            buttons = "".join(_button(a, aria=f"Rate {a.label} out of 5") for a in csat)
            parts.append(
                f'<span class="fd-csat" role="group" aria-label="Rate this conversation from 1 to 5">{buttons}</span>'
            )
    for action in actions:
        if action.kind in FEEDBACK_KINDS or action.kind == "csat":
            continue
        parts.append(_button(action, disabled=action.kind in done))
    if not parts:
        return ""
    return f'<div class="fd-actions">{"".join(parts)}</div>'


def render_reply(reply: Reply, pressed: Iterable[str] = ()) -> str:
    """The whole message: text, sources, then buttons. Degrades to escaped text; never raises on odd input."""
    body = render_text(reply.text) or "<p></p>"
    return (
        f'<div class="fd-body">{body}</div>{render_citations(reply.citations, reply.sources_label)}{render_actions(reply.actions, pressed)}'
    )
