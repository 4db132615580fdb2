"""Knowledge-base value types (articles and their passages) and heading-based chunking."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from bot.core.types import Audience


@dataclass(frozen=True, slots=True)
class Passage:
    """One section of an article (split at headings, long sections split again); the unit answers quote."""

    article_id: str
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str
    audience: Audience = Audience.CUSTOMER
    language: str = "en"
    updated: date | None = None
    tags: tuple[str, ...] = ()
    team: str = ""
    url: str = ""
    questions: tuple[str, ...] = ()
    source: str = ""  # path relative to the KB folder (":line" for JSONL rows)
    # Fields the file left out (audit reports them: e.g. an internal-looking article without `audience`).
    missing: tuple[str, ...] = ()
    markup: float = 0.0  # share of the source file that was markup, not text (audit: "mostly markup")
    passages: tuple[Passage, ...] = field(default=(), compare=False)

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects the index, so re-ingest can skip unchanged articles."""
        h = hashlib.sha256()
        for part in (self.id, self.title, self.body, self.audience.value, self.language, self.team, self.url):
            h.update(part.encode())
            h.update(b"\x00")
        for part in (*self.tags, "\x01", *self.questions):
            h.update(part.encode())
            h.update(b"\x00")
        h.update(str(self.updated).encode())
        return h.hexdigest()[:16]


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@lru_cache(maxsize=8)
def _long_splitter(max_chars: int) -> Any:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=max_chars, chunk_overlap=0)


def split_passages(article_id: str, title: str, body: str, max_chars: int = 1200) -> tuple[Passage, ...]:
    """Split Markdown at headings (fenced code is not a heading), then long sections with langchain-text-splitters'
    RecursiveCharacterTextSplitter (paragraphs, then lines, then words).

    The heading pass is a line scan rather than langchain's MarkdownHeaderTextSplitter: same sections, about ten
    times faster, which is most of the ingest time of a 10k-article KB.
    """
    sections: list[tuple[str, list[str]]] = [(title, [])]
    fenced = False
    for line in body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            sections.append((m.group(2).strip(), []))
        else:
            sections[-1][1].append(line)
    passages: list[Passage] = []
    for heading, lines in sections:
        text = "\n".join(lines).strip()
        if not text:
            continue
        pieces = [text] if len(text) <= max_chars else _long_splitter(max_chars).split_text(text)
        passages.extend(Passage(article_id, heading, p.strip()) for p in pieces if p.strip())
    if not passages and body.strip():
        passages.append(Passage(article_id, title, body.strip()[:max_chars]))
    return tuple(passages)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|`+|~~)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(¿¡ÄÖÜÁÉÍÓÚ])")


def plain_text(markdown: str) -> str:
    """Markdown-ish text to one line of plain text (links keep their label, emphasis marks dropped)."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_MARK.sub("", text)
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.MULTILINE)
    lines = []
    for line in _LIST.sub("", text).splitlines():
        line = line.strip()
        if not line or line.startswith("|") or line.startswith("```"):
            continue
        # A list item or heading-like line without final punctuation would glue onto the next sentence.
        lines.append(line if line[-1] in ".!?:;" else line + ".")
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]
