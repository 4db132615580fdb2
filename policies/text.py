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


# Scripts written without spaces between words (Han, kana, Thai): a phrase there has no word boundary to stop at.
_UNSPACED = (
    (0x0E00, 0x0E7F),
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
)
# Hangul (as `fold` leaves it: decomposed into jamo): spaced, but particles attach to the end of a word ("상담원과").
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))


def _within(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)


def _bounded(phrase: str) -> str:
    """The phrase as a regex with word boundaries where its script has them: none before or after an unspaced
    character ("人工客服" inside "我要人工客服"), none after Hangul (its particles), both for every other script."""
    left = "" if _within(phrase[0], _UNSPACED) else r"(?<![\w'])"
    right = "" if _within(phrase[-1], _UNSPACED + _HANGUL) else r"(?![\w'])"
    return f"{left}{re.escape(phrase)}{right}"


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """Finds whole-word phrases in normalised text with one compiled regex (whole words in spaced scripts)."""

    regex: re.Pattern[str] | None
    phrases: tuple[str, ...]

    @staticmethod
    def of(phrases: Iterable[str]) -> PhraseMatcher:
        cleaned = sorted({normalize(p) for p in phrases if normalize(p)}, key=len, reverse=True)
        if not cleaned:
            return PhraseMatcher(None, ())
        return PhraseMatcher(re.compile("|".join(_bounded(p) for p in cleaned)), tuple(cleaned))

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
