"""Text helpers every policy shares: normalising for matching, phrase matchers, sentence splitting.

Matching is done on a normalised form (lower case, accents removed, apostrophes unified, punctuation to spaces) so
that "Rückerstattung", "ruckerstattung" and "RÜCKERSTATTUNG!" all match the keyword "ruckerstattung".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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


# Words whose trailing dot is not a sentence end. "E.G." in capitals too: matching is case-insensitive.
_ABBREVIATIONS = re.compile(
    r"(?<![\w.])(e\.g|i\.e|etc|vs|approx|incl|no|nr|z\.b|d\.h|u\.a|bzw|ggf|p\.ej|ca|usw|mr|mrs|ms|dr|st|ee|uu)\.$", re.I
)
# A sentence ends at . ! ? … (closing quotes and brackets stay with it) before whitespace and something that can
# start a sentence: "Click Forgot password? on the sign-in page" is one sentence, not two.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"')\]]*)\s+(?![a-zß-öø-ÿ])")
# A list marker at the start of a line ("1.", "2)", "-", "*", "•"): part of the item, never a sentence of its own.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s+")
_BARE_NUMBER = re.compile(r"^\d{1,3}[.)]$")


def is_list_item(line: str) -> bool:
    """True for a line that starts with a list marker followed by text ("1. Go to Settings", "- Check spam")."""
    match = LIST_MARKER.match(line)
    return match is not None and bool(line[match.end() :].strip())


def sentences(text: str) -> list[str]:
    """Split into sentences; list items and lines count as sentences, abbreviations and decimals do not split.

    A line's list marker stays with its item: "1. Go to Settings" is one sentence, not "1." and "Go to Settings".
    A dot after a number only ends a sentence when text came before it on the line ("It costs 10. Then …").
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        marker = LIST_MARKER.match(line)
        body_start = marker.end() if marker else 0
        start = 0
        pieces: list[str] = []
        for match in _SENTENCE_END.finditer(line):
            if match.start() <= body_start:
                continue  # the dot of the list marker itself
            candidate = line[start : match.end(1)].strip()
            if _ABBREVIATIONS.search(candidate) or _BARE_NUMBER.match(candidate):
                continue  # "e.g." / "etc." inside a sentence, or an inline step number ("… Settings. 2. Click …")
            pieces.append(candidate)
            start = match.end()
        pieces.append(line[start:].strip())
        out.extend(p for p in pieces if p)
    return out


def similarity(a: str, b: str) -> float:
    """Word-set overlap (Jaccard) of two texts, 0..1; used to spot a customer re-asking the same question."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)
