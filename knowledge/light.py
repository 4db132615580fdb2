"""The one text form every KB format is cleaned into: light Markdown.

Ingest stores an article's body in this form whatever it was written in (Markdown, HTML, reStructuredText), because
the rest of the knowledge layer reads it: `documents.split_passages` splits sections at `#` headings,
`units` takes `- ` / `1. ` lines as list items and `|` lines as table rows, and fenced code is left out of replies.
So a converter produces blocks through these functions only, and the form stays the same for every format:

- a heading is one line, `#` to `######` and its text;
- a paragraph is plain text on one line (no emphasis marks, links reduced to their label, no images or tags);
- a list is one line per item, `- ` or `1. `, a nested list indented by two spaces per level under its item;
- a table is `| a | b |` rows with a `| --- |` rule after the header row;
- code is a ``` fence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")
_BEFORE_STOP = re.compile(r"\s+([,.;:!?])(?=\s|$)")  # "Applications ." left by a dropped tag or image
# A paragraph line that would read as a heading, a table row or a code fence.
_LOOKS_STRUCTURAL = re.compile(r"^(#{1,6}\s|\||```|~~~)")


def words(text: str) -> str:
    """Collapse runs of whitespace (HTML and reST wrap lines anywhere) into single spaces."""
    return _BEFORE_STOP.sub(r"\1", _SPACE.sub(" ", text)).strip()


def paragraph(text: str) -> str:
    """One paragraph on one line. Text that would read as a heading, a table row or a fence ("# of seats", "| pipe")
    starts with an invisible word joiner, so it stays a paragraph; a line that reads as a list item stays one."""
    text = words(text)
    if _LOOKS_STRUCTURAL.match(text):
        text = "\u2060" + text  # word joiner: invisible, and the line no longer starts with the marker
    return text


def code_span(text: str) -> str:
    """Inline code stays marked (`rb_test_`): replies drop the marks, and the audit never reads code as facts."""
    text = words(text).replace("`", "'")
    return f"`{text}`" if text else ""


def heading(level: int, text: str) -> str:
    text = words(text)
    return f"{'#' * min(max(level, 1), 6)} {text}" if text else ""


@dataclass(slots=True)
class Item:
    """One list item: its own text and the lists nested under it."""

    text: str
    children: list[ListBlock] = field(default_factory=list)


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    items: list[Item] = field(default_factory=list)
    start: int = 1  # an ordered list resumed after an image or a note ("2. Tap Send") starts past 1


def list_lines(block: ListBlock, depth: int = 0) -> list[str]:
    lines: list[str] = []
    n = block.start - 1 if block.ordered else 0
    for item in block.items:
        text = words(item.text)
        if not text and not item.children:
            continue
        n += 1
        marker = f"{n}." if block.ordered else "-"
        lines.append(f"{'  ' * depth}{marker} {text}".rstrip())
        for child in item.children:
            lines.extend(list_lines(child, depth + 1))
    return lines


def list_block(block: ListBlock) -> str:
    return "\n".join(list_lines(block))


_ORDERED_ITEM = re.compile(r"^(\d{1,3})\.\s")


def add_list(blocks: list[str], block: ListBlock) -> None:
    """Append a list; an ordered list that resumes the numbering of the list just before it (the steps were cut
    by an image or a note the text leaves out) joins it, so the steps read as one procedure."""
    text = list_block(block)
    if not text:
        return
    if block.ordered and block.start > 1 and blocks:
        last = [ln for ln in blocks[-1].split("\n") if _ORDERED_ITEM.match(ln)]
        if last and int(_ORDERED_ITEM.match(last[-1]).group(1)) + 1 == block.start:  # type: ignore[union-attr]
            blocks[-1] += "\n" + text
            return
    blocks.append(text)


def table(rows: Sequence[Sequence[str]]) -> str:
    """`| a | b |` rows, the first one a header with a rule under it; cells on one line, `|` in a cell made `/`."""
    clean = [[words(c).replace("|", "/") for c in row] for row in rows]
    clean = [row for row in clean if any(row)]
    if not clean:
        return ""
    width = max(len(row) for row in clean)
    lines = ["| " + " | ".join([*row, *[""] * (width - len(row))]) + " |" for row in clean]
    lines.insert(1, "| " + " | ".join(["---"] * width) + " |")
    return "\n".join(lines)


def code(text: str, language: str = "") -> str:
    body = text.strip("\n")
    return f"```{language}\n{body}\n```" if body.strip() else ""


def join(blocks: Sequence[str]) -> str:
    """Blocks separated by one blank line; empty blocks dropped."""
    return "\n\n".join(b for b in (b.strip("\n") for b in blocks) if b.strip())
