"""`/dashboard/metrics`: the published metric definitions (docs/METRICS.md) as a page, so the dashboard's
"definitions" link leads to sentences rather than to source code or a CLI's help.

The Markdown is rendered with markdown-it (raw HTML off, tables on) from the checkout the server runs from; an
installation without the docs folder gets a page saying where the definitions live.
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from markdown_it import MarkdownIt

DOC = Path(__file__).resolve().parents[3] / "docs" / "METRICS.md"
MISSING = (
    "<p>The definitions page (docs/METRICS.md) is not installed with this server. It is in the Frontdesk "
    "repository, and <code>frontdesk report --help</code> names it.</p>"
)


@cache
def _body() -> str:
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        return MISSING
    return str(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


def render_definitions() -> str:
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape("Frontdesk: metric definitions")}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/static/dashboard.css"></head>
<body><main class="doc"><p><a href="/dashboard">← Back to the dashboard</a></p>{_body()}</main></body></html>
"""
