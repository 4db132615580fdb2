"""Text helpers every policy shares: normalising for matching, phrase matchers, sentence splitting.

Matching is done on a normalised form (lower case, accents removed, apostrophes unified, punctuation to spaces) so
that "Rückerstattung", "ruckerstattung" and "RÜCKERSTATTUNG!" all match the keyword "ruckerstattung".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Re-exported: policies split sentences exactly as the knowledge chain composes them (one splitter, in bot.core.sentences).
from bot.core.sentences import LIST_MARKER as LIST_MARKER
from bot.core.sentences import is_list_item as is_list_item
from bot.core.sentences import sentences as sentences

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = re.compile(r"[^\w']+")
_WORD = re.compile(r"[\w']+")


def fold(text: str) -> str:
    """Lower case, accents stripped, apostrophes unified; punctuation kept (for regex patterns)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """`fold`, then every run of non-word characters becomes one space: the form keywords are matched on."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """Finds whole-word phrases in normalised text with one compiled regex."""

    regex: re.Pattern[str] | None
    phrases: tuple[str, ...]

    @staticmethod
    def of(phrases: Iterable[str]) -> PhraseMatcher:
        cleaned = sorted({normalize(p) for p in phrases if normalize(p)}, key=len, reverse=True)
        if not cleaned:
            return PhraseMatcher(None, ())
        body = "|".join(re.escape(p) for p in cleaned)
        return PhraseMatcher(re.compile(rf"(?<![\w'])(?:{body})(?![\w'])"), tuple(cleaned))

    def find(self, normalized: str) -> str | None:
        """The first phrase found in already-normalised text, or None."""
        if self.regex is None:
            return None
        match = self.regex.search(normalized)
        return match.group(0) if match else None


def similarity(a: str, b: str) -> float:
    """Word-set overlap (Jaccard) of two texts, 0..1; used to spot a customer re-asking the same question."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)
