"""markdown-it-py's token stream to light Markdown (`knowledge.light`), without an HTML round trip.

Rendering a page to HTML and reading that HTML back with BeautifulSoup cost about half of a large help center's
ingest (bench/RESULTS.md, "Where the 10k ingest time went"); the tokens already carry the structure. This renderer
writes exactly what `knowledge.html_text` writes for markdown-it's HTML of the same tokens — a heading, a paragraph
on one line, list items with their nested lists, a table's rows, code fences; links keep their label, images go, a
step's code sample or table is left out of the step — so both paths produce the same text.

Raw HTML is the one thing tokens cannot place: an HTML tag's meaning (a `<button>` strip, a `<div role="tabpanel">`,
a `<details>` in a table cell) needs a tree. Comments and line breaks are read here. A page with an HTML *block* is
left whole to `knowledge.html_text` (`render` returns None), because a tab widget opens in one HTML block, holds
Markdown, and closes in another; inline HTML cannot leave its paragraph, table or list, so only that top-level
block is rendered to HTML and read by `html_text` (the `html` callback), the rest of the page here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from knowledge import light

# HTML the renderer can read without a tree: a comment is dropped, a line break is a space.
_COMMENT = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE_ELEMENTS = {"link_open", "strong_open", "em_open", "s_open"}
_LISTS = {"bullet_list_open", "ordered_list_open"}


class NeedsHtml(Exception):
    """The page holds raw HTML that only an HTML tree can read."""


# Appends the light-Markdown blocks of some tokens' HTML rendering (`html_text`) to a block list.
HtmlBlocks = Callable[[Sequence[Any], list[str]], None]


def render(tokens: Sequence[Any], html: HtmlBlocks) -> str | None:
    """Light Markdown of a parsed page, or None when it holds an HTML block (read the page with `html_text`)."""
    if any(t.type == "html_block" and not _COMMENT.fullmatch(t.content) for t in tokens):
        return None
    writer = _Writer(tokens)
    blocks: list[str] = []
    i = 0
    while i < len(tokens):  # top-level blocks: one with inline HTML goes to `html`, whole
        end = writer.close[i] + 1
        mark, last = len(blocks), blocks[-1] if blocks else None
        try:
            writer.blocks(i, end, blocks)
        except NeedsHtml:
            del blocks[mark:]
            if last is not None:
                blocks[-1] = last  # an ordered list may have joined the one before it
            html(tokens[i:end], blocks)
        i = end
    return light.join(blocks)


def _closers(tokens: Sequence[Any]) -> list[int]:
    """For each opening token, the index of its closing token (itself for the others)."""
    close = list(range(len(tokens)))
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(i)
        elif tok.nesting == -1 and stack:
            close[stack.pop()] = i
    return close


class _Writer:
    def __init__(self, tokens: Sequence[Any]) -> None:
        self.tokens = tokens
        self.close = _closers(tokens)

    # --- blocks ------------------------------------------------------------------------------------------------
    def blocks(self, i: int, end: int, out: list[str]) -> None:
        tokens = self.tokens
        while i < end:
            tok = tokens[i]
            kind = tok.type
            if kind == "paragraph_open":
                text = light.words("".join(self.inline(tokens[i + 1])))
                if text:
                    out.append(light.paragraph(text))
            elif kind == "heading_open":
                out.append(light.heading(int(tok.tag[1]), self.inline_text(tokens[i + 1])))
            elif kind in _LISTS:
                light.add_list(out, self.list_block(i))
            elif kind == "table_open":
                out.append(light.table(self.rows(i)))
            elif kind in ("fence", "code_block"):
                out.append(light.code(tok.content))
            elif kind == "blockquote_open":
                self.blocks(i + 1, self.close[i], out)
            # hr, and anything else that opens: nothing of its own to say
            i = self.close[i] + 1

    def list_block(self, i: int) -> light.ListBlock:
        tokens = self.tokens
        opening = tokens[i]
        start = str(opening.attrs.get("start", "1")) if opening.attrs else "1"
        ordered = opening.type == "ordered_list_open"
        block = light.ListBlock(ordered, start=int(start) if start.isdigit() else 1)
        j, end = i + 1, self.close[i]
        while j < end:
            if tokens[j].type == "list_item_open":
                stop = self.close[j]
                parts: list[str] = []
                self.item_parts(j + 1, stop, parts)
                item = light.Item(light.words("".join(parts)))
                k = j + 1
                while k < stop:  # the lists directly inside the item (not those inside a quote in it)
                    if tokens[k].type in _LISTS:
                        item.children.append(self.list_block(k))
                    k = self.close[k] + 1
                block.items.append(item)
                j = stop
            j += 1
        return block

    def item_parts(self, i: int, end: int, parts: list[str]) -> None:
        """A list item's text on one line: each of its blocks is a word break; nested lists (the item's children),
        tables and code write nothing (the article link carries a step's sample), a quote's own lists neither."""
        tokens = self.tokens
        while i < end:
            kind = tokens[i].type
            if kind in ("paragraph_open", "heading_open"):
                parts.extend((" ", self.inline_text(tokens[i + 1]), " "))
            elif kind == "blockquote_open":
                self.item_parts(i + 1, self.close[i], parts)
            i = self.close[i] + 1

    def rows(self, i: int) -> list[list[str]]:
        tokens = self.tokens
        rows: list[list[str]] = []
        for j in range(i + 1, self.close[i]):
            kind = tokens[j].type
            if kind == "tr_open":
                rows.append([])
            elif kind in ("th_open", "td_open") and rows:
                rows[-1].append(self.inline_text(tokens[j + 1]))
        return rows

    # --- inline ------------------------------------------------------------------------------------------------
    def inline_text(self, token: Any) -> str:
        return light.words("".join(self.inline(token)))

    def inline(self, token: Any) -> list[str]:
        """An inline token's pieces as `html_text` reads them: text as written, code marked, each element (link,
        emphasis) as its own collapsed words, images left out."""
        stack: list[list[str]] = [[]]
        for child in token.children or ():
            kind = child.type
            if kind == "text":
                stack[-1].append(child.content)
            elif kind == "code_inline":
                stack[-1].append(light.code_span(child.content))
            elif kind == "softbreak":
                stack[-1].append("\n")
            elif kind == "hardbreak":
                stack[-1].append(" \n")
            elif kind in _INLINE_ELEMENTS:
                stack.append([])
            elif child.nesting == -1 and len(stack) > 1:
                inner = stack.pop()
                stack[-1].append(light.words("".join(inner)))
            elif kind == "image":  # its alt text is in its own children: a reader does not see it
                continue
            elif kind == "html_inline":
                if _BREAK.fullmatch(child.content):
                    stack[-1].append(" ")
                elif not _COMMENT.fullmatch(child.content):
                    raise NeedsHtml
            elif child.nesting == 1:
                stack.append([])
        while len(stack) > 1:
            inner = stack.pop()
            stack[-1].append(light.words("".join(inner)))
        return stack[0]
