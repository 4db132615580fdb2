"""A section's Markdown as answer units: sentences, whole lists with their intro, table rows as sentences; code
blocks left out. Parsed once per section text (cached)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.core.sentences import sentences as split_sentences


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a section the answer may quote: a sentence, or a whole list with the sentence introducing it."""

    sentences: tuple[str, ...]  # a prose sentence, or the intro (may be empty) of a list
    items: tuple[str, ...] = ()  # list items, each one line (marker included)
    ordered: bool = False
    opens: bool = True  # starts a paragraph: a reply may start here without losing what "that" refers to

    @property
    def is_list(self) -> bool:
        return bool(self.items)

    def text(self) -> str:
        lines = [" ".join(self.sentences)] if self.sentences else []
        return "\n".join([*lines, *self.items])


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|`+|~~)")
_ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def inline(markdown: str) -> str:
    """Inline Markdown to plain text: links keep their label, emphasis and code marks go."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_MARK.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _table_sentences(rows: list[list[str]]) -> list[str]:
    """A Markdown table as sentences, one per row: "Endpoints: Starter 10, Growth 100, Enterprise Unlimited."."""
    if len(rows) < 2:
        return [", ".join(c for c in row if c) + "." for row in rows if any(row)]
    header, body = rows[0], rows[1:]
    out = []
    for row in body:
        if not row or not row[0]:
            continue
        cells = [f"{h} {c}".strip() if h else c for h, c in zip(header[1:], row[1:], strict=False) if c]
        out.append(f"{row[0]}: {', '.join(cells).rstrip('.')}.")
    return out


def units(markdown: str) -> list[Unit]:
    """A section's Markdown as answer units, in order. Code blocks are left out (a chat reply is no place for
    them; the article link carries them), tables become one sentence per row, and a list keeps the sentence that
    introduces it when that sentence ends with ":"."""
    return list(_units(markdown))


@lru_cache(maxsize=2048)
def _units(markdown: str) -> tuple[Unit, ...]:
    # Parsed once per section text: a reply parses the top sections several times (snippets, answer) and popular
    # sections come back message after message. Units are frozen, so the cached tuple is shared safely.
    return tuple(_parse_units(markdown))


def _parse_units(markdown: str) -> list[Unit]:
    out: list[Unit] = []
    paragraph: list[str] = []
    items: list[str] = []
    ordered = False
    table: list[list[str]] = []
    fenced = False

    def flush_paragraph() -> None:
        if paragraph:
            sents = split_sentences(inline(" ".join(paragraph)))
            out.extend(Unit((s,), opens=i == 0) for i, s in enumerate(sents))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            intro: tuple[str, ...] = ()
            opens = True
            if out and not out[-1].is_list and out[-1].sentences[-1].endswith(":"):
                popped = out.pop()
                intro, opens = popped.sentences, popped.opens
            out.append(Unit(intro, tuple(items), ordered, opens))
            items.clear()

    def flush_table() -> None:
        if table:
            out.extend(Unit((s,)) for s in _table_sentences(table))
            table.clear()

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            flush_paragraph()
            flush_items()
            if not fenced and out and not out[-1].is_list and out[-1].sentences[-1].endswith(":"):
                out.pop()  # "The header looks like this:" introduces a code block the reply leaves out
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.lstrip().startswith("|"):
            flush_paragraph()
            flush_items()
            if not _TABLE_RULE.match(line.strip()):
                table.append([inline(c) for c in line.strip().strip("|").split("|")])
            continue
        flush_table()
        if not line.strip():
            flush_paragraph()
            flush_items()
            continue
        m = _ITEM.match(line)
        if m and not m.group(1):
            flush_paragraph()
            if not items:
                ordered = m.group(2)[0].isdigit()
            marker = f"{len(items) + 1}." if ordered else "-"
            items.append(f"{marker} {inline(m.group(3))}")
        elif items and (m or raw[:1].isspace()):
            items[-1] += " " + inline(line)  # a nested item or a wrapped line belongs to the item above
        else:
            flush_items()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_items()
    flush_table()
    return out
