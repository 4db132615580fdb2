"""Introductions: "Hi, I'm Dana from Acme" says who is writing, not what they need: small talk, not a question.

In B2B channels the first message is often an introduction, with the question in the next one; searching the
knowledge base for "I'm Dana from Acme" finds nothing and hands an introduction to a person. An introduction is a
lead phrase of the language ("I'm", "my name is", "ich bin", "soy"), then a capitalised name of one or two words,
optionally an organisation word ("from", "bei", "de") and up to four words of organisation, and nothing else
besides an optional greeting before it. The capital letter is what tells "I'm Dana" from "I'm stuck" (and a name
is not shouted: "THIS IS URGENT" is not one); the organisation may not contain punctuation, so "I'm Dana from
Acme, our webhooks fail" stays a question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NAME = r"[A-Z][a-z][\w'-]*|[A-Z]"  # "Dana", "Li", "O'Neil"; an initial; never "URGENT"


def plain(text: str) -> str:
    """Accents removed and apostrophes unified, case kept (the capital of a name matters here)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _alternation(items: list[str]) -> str:
    return "|".join(re.escape(plain(item).lower()) for item in sorted(items, key=len, reverse=True) if item.strip())


@dataclass(frozen=True, slots=True)
class Introductions:
    """One compiled pattern per language; `matches` yields (language, the text before the introduction)."""

    patterns: Mapping[str, re.Pattern[str]]

    @staticmethod
    def of(leads: Mapping[str, list[str]], links: Mapping[str, list[str]]) -> Introductions:
        patterns: dict[str, re.Pattern[str]] = {}
        for language, items in leads.items():
            lead = _alternation(items)
            if not lead:
                continue
            link = _alternation(links.get(language, []))
            org = rf"(?:\s+(?i:{link})\s+[\w'&.-]+(?:\s+[\w'&.-]+){{0,3}})?" if link else ""
            patterns[language] = re.compile(
                rf"(?:^|(?<=[\s,;:!.]))(?i:{lead})\s+(?:{_NAME})(?:[ -](?:{_NAME}))?{org}\s*[.!]*\s*$"
            )
        return Introductions(MappingProxyType(patterns))

    def matches(self, text: str) -> Iterator[tuple[str, str]]:
        source = plain(text.strip())
        for language, pattern in self.patterns.items():
            match = pattern.search(source)
            if match is not None:
                yield language, source[: match.start()]
