"""The token renderer writes what the HTML round trip (markdown-it → HTML → BeautifulSoup) wrote for the same page,
case by case, and reads inline HTML through BeautifulSoup only for the block that holds it."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge import markdown_text, markdown_tokens
from knowledge.html_text import html_to_text

CASES = {
    "headings and emphasis": "# Title\n\nSome **bold**, *em*, ~~gone~~ and `code` text.\n\n## Next  ##\n\nMore.",
    "links and images": "See [the *guide*](https://x.example/a b) or <https://x.example>. ![shot](a.png) Done .",
    "tight nested lists": "- one\n- two\n  - two a\n  - two b\n    1. deep\n- three",
    "loose items with paragraphs": "1. First step.\n\n   More about it.\n\n2. Second step.\n\n   - a detail\n",
    "numbering resumed after an image": "1. Open it.\n2. Tap it.\n\n![x](y.png)\n\n3. Send it.\n4. Done.",
    "code and tables inside a step are left out": (
        "1. Run this:\n\n   ```bash\n   make it\n   ```\n\n   | a | b |\n   |---|---|\n   | 1 | 2 |\n\n2. Then this."
    ),
    "quote with a list": "> Note: read this.\n>\n> - point one\n> - point two\n\nAfter.",
    "list item with a quote and a heading": "- item\n\n  > quoted\n  > - hidden list\n\n  # inner heading\n",
    "tables with short rows and empty cells": "| Plan | Price | Seats |\n|---|---|---|\n| Starter | $10 |\n| | | |\n",
    "code fence and indented code": "Text.\n\n```python\nprint('x')\n```\n\n    indented code\n\n---\n\nEnd.",
    "breaks and comments": "Line one  \nline two<br>three<!-- hidden -->\nfour\n\n<!-- a block comment -->\n\nLast.",
    "escapes and entities": "\\*not em\\* &amp; &copy; &nbsp;x | # not a heading\n\n\\# of seats",
    "empty items": "-\n- \n- real\n\n1.\n2. two",
    "ordered start": "3. third\n4. fourth",
    "inline html in a table cell": (
        "Intro.\n\n| Version | Notes |\n|---|---|\n| 1.0 | <details><summary>Fixes</summary><ul><li>a</li></ul>"
        "</details> |\n| 2.0 | plain <kbd>Ctrl</kbd> |\n\n1. After the table.\n2. Still native."
    ),
    "inline html in a paragraph": "Press <kbd>Enter</kbd> then <button>Save</button> and <span class='x'>go</span>.",
    "unknown inline tags": "Mention @<user> or <!channel> in a message.",
}


def _old(markdown: str) -> str:
    return html_to_text(markdown_text._renderer().render(markdown))


@pytest.mark.parametrize("name", sorted(CASES))
def test_token_renderer_writes_what_the_html_round_trip_wrote(name: str) -> None:
    page = CASES[name]
    assert markdown_text.markdown_to_text(page) == _old(page)


def test_only_the_block_with_inline_html_goes_through_html() -> None:
    md = markdown_text._renderer()
    tokens = md.parse(CASES["inline html in a table cell"])
    seen: list[str] = []

    def html(part: Any, out: list[str]) -> None:
        seen.append(part[0].type)
        out.append("(from html)")

    text = markdown_tokens.render(tokens, html)
    assert seen == ["table_open"]  # the paragraph and the list before and after stay on the token path
    assert text == "Intro.\n\n(from html)\n\n1. After the table.\n2. Still native."


def test_an_html_block_sends_the_whole_page_to_html() -> None:
    md = markdown_text._renderer()
    tokens = md.parse('<div role="tabpanel" id="mac">\n\n1. Open it.\n\n</div>\n')
    assert markdown_tokens.render(tokens, lambda part, out: None) is None
    # A block that is only a comment is read here.
    assert markdown_tokens.render(md.parse("<!-- note -->\n\nText."), lambda part, out: None) == "Text."
