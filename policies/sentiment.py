"""Sentiment of a message, -1 (very negative) .. 1, offline: vaderSentiment for English, small lexicons otherwise.

VADER is tuned for social-media English (caps, "!!!", emoticons, emojis). For other languages we score the words of
a hand-written lexicon (`defaults/sentiment.toml`) with negation, and add VADER's reading of the emojis and
emoticons alone, which carry across languages. Scores use VADER's normalisation x / sqrt(x² + 15) so thresholds
mean roughly the same in every language. Languages without a lexicon score emojis only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from policies.defaults import shipped
from policies.text import fold, words

_NEGATION_SPAN = 3
_SYMBOLS = re.compile(
    r"[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]|(?<![\w/])[:;=8xX][-'^]?[)(\]\[dDpP/|*oO3]+(?!\w)|<3"
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's words. Entries are folded like the text (lower case, accents stripped). `strip` prefixes
    (Arabic's article and conjunctions) are removed for a second look; `substrings` languages (Chinese, Japanese:
    no spaces) match entries inside the text instead of as words, without negation."""

    exact: Mapping[str, float]
    prefixes: Mapping[str, float]
    negators: frozenset[str]
    strip: tuple[str, ...] = ()
    substrings: bool = False

    @staticmethod
    def of(raw: Mapping[str, Any]) -> Lexicon:
        exact: dict[str, float] = {}
        prefixes: dict[str, float] = {}
        for key, weight in (("positive", 2.0), ("strong_positive", 3.0), ("negative", -2.0), ("strong_negative", -3.0)):
            for entry in raw.get(key, []):
                target = prefixes if entry.endswith("*") else exact
                target[fold(entry.rstrip("*"))] = weight
        return Lexicon(
            MappingProxyType(exact),
            MappingProxyType(prefixes),
            frozenset(fold(w) for w in raw.get("negators", [])),
            tuple(fold(p) for p in raw.get("strip", [])),
            bool(raw.get("substrings", False)),
        )

    def valence(self, token: str) -> float:
        value = self._lookup(token)
        if not value:
            for prefix in self.strip:
                if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                    return self._lookup(token[len(prefix) :])
        return value

    def _lookup(self, token: str) -> float:
        if token in self.exact:
            return self.exact[token]
        for end in range(len(token), 2, -1):
            weight = self.prefixes.get(token[:end])
            if weight is not None:
                return weight
        return 0.0

    def total(self, tokens: list[str]) -> float:
        total = 0.0
        flip_until = -1
        for i, token in enumerate(tokens):
            if token in self.negators:
                flip_until = i + _NEGATION_SPAN
                continue
            value = self.valence(token)
            if value and i <= flip_until:
                value = -value * 0.75  # "nicht gut" is less positive than "schlecht" is negative, as in VADER
            total += value
        return total

    def total_in(self, folded: str) -> float:
        """Substring languages: every entry found in the text counts once (longest entries first, so "最悪"
        is not also counted as a shorter entry inside it)."""
        total = 0.0
        for entry, weight in sorted({**self.exact, **self.prefixes}.items(), key=lambda item: -len(item[0])):
            if entry and entry in folded:
                total += weight
                folded = folded.replace(entry, " ")
        return total


def _normalise(x: float) -> float:
    return x / math.sqrt(x * x + 15.0)


@dataclass(slots=True)
class Sentiment:
    """Scores text in a language. Holds one VADER analyzer (its lexicon load is the only cost)."""

    lexicons: Mapping[str, Lexicon]
    vader: SentimentIntensityAnalyzer = field(default_factory=SentimentIntensityAnalyzer)

    @staticmethod
    def shipped() -> Sentiment:
        raw = dict(shipped("sentiment"))
        english = raw.pop("en", {})
        vader = SentimentIntensityAnalyzer()
        for word in english.get("neutral", []):
            vader.lexicon.pop(word, None)  # this instance's own copy of the lexicon; see sentiment.toml
        vader.emojis.update(raw.pop("emoji", {}))
        return Sentiment(MappingProxyType({lang: Lexicon.of(entry) for lang, entry in raw.items()}), vader)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset({"en", *self.lexicons})

    def score(self, text: str, language: str) -> float | None:
        """-1..1, or None when there is nothing to read (empty text)."""
        if not text or not text.strip():
            return None
        if language == "en" or language.startswith("en-"):
            return float(self.vader.polarity_scores(text)["compound"])
        symbols = " ".join(_SYMBOLS.findall(text))
        symbol_part = 0.0
        if symbols:
            # VADER's own sum before normalisation is not exposed; invert its normalisation instead.
            compound = float(self.vader.polarity_scores(symbols)["compound"])
            compound = max(min(compound, 0.999), -0.999)
            symbol_part = compound * math.sqrt(15.0 / (1.0 - compound * compound))
        lexicon = self.lexicons.get(language)
        word_part = 0.0
        if lexicon is not None:
            word_part = lexicon.total_in(fold(text)) if lexicon.substrings else lexicon.total(words(text))
        if "!" in text and word_part:
            word_part *= 1.0 + min(text.count("!"), 3) * 0.1  # emphasis, as VADER does for English
        return round(_normalise(word_part + symbol_part), 4)
