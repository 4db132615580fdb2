"""Sentiment of a message, -1 (very negative) .. 1, offline: vaderSentiment for English, lexicons otherwise.

VADER is tuned for social-media English (caps, "!!!", emoticons, emojis). For other languages we score the words of
a hand-written lexicon (`defaults/sentiment.toml`) with negation, falling back for words it does not know to a
lexicon shipped by a PyPI package where a licence-clean one exists (German, French, Portuguese:
`policies/lexicon_packages.py`), and add VADER's reading of the emojis and emoticons alone, which carry across
languages. Scores use VADER's normalisation x / sqrt(x² + 15) so thresholds
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

from policies import lexicon_packages
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
    no spaces) match entries inside the text instead of as words, without negation. `package` is a packaged
    lexicon (exact words, -4..4) consulted only for words our own entries do not know: ours are written for
    support messages and win where both have a word."""

    exact: Mapping[str, float]
    prefixes: Mapping[str, float]
    negators: frozenset[str]
    strip: tuple[str, ...] = ()
    substrings: bool = False
    package: Mapping[str, float] = field(default_factory=dict)
    package_suffixes: tuple[str, ...] = ()
    neutral: tuple[str, ...] = ()  # folded prefixes of words that name a problem, not a mood: never scored

    @staticmethod
    def of(
        raw: Mapping[str, Any], package: Mapping[str, float] | None = None, suffixes: tuple[str, ...] = ()
    ) -> Lexicon:
        exact: dict[str, float] = {}
        prefixes: dict[str, float] = {}
        neutral = tuple(fold(w.rstrip("*")) for w in raw.get("neutral", []))
        for key, weight in (("positive", 2.0), ("strong_positive", 3.0), ("negative", -2.0), ("strong_negative", -3.0)):
            for entry in raw.get(key, []):
                (prefixes if entry.endswith("*") else exact)[fold(entry.rstrip("*"))] = weight
        return Lexicon(
            MappingProxyType(exact),
            MappingProxyType(prefixes),
            frozenset(fold(w) for w in raw.get("negators", [])),
            tuple(fold(p) for p in raw.get("strip", [])),
            bool(raw.get("substrings", False)),
            MappingProxyType(dict(package or {})),
            suffixes,
            neutral,
        )

    def valence(self, token: str) -> float:
        value = self._lookup(token)
        if not value:
            for prefix in self.strip:
                if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                    return self._lookup(token[len(prefix) :])
        return value

    def _lookup(self, token: str) -> float:
        if self.neutral and token.startswith(self.neutral):
            return 0.0
        if token in self.exact:
            return self.exact[token]
        for end in range(len(token), 2, -1):
            weight = self.prefixes.get(token[:end])
            if weight is not None:
                return weight
        return self._packaged(token)

    def _packaged(self, token: str) -> float:
        value = self.package.get(token)
        if value is not None:
            return value
        for suffix in self.package_suffixes:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                value = self.package.get(token[: -len(suffix)])
                if value is not None:
                    return value
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
            if entry and entry in folded and not (self.neutral and entry.startswith(self.neutral)):
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
    def shipped(*, packages: bool = True) -> Sentiment:
        """The shipped lexicons; `packages=False` leaves out the packaged ones (the benchmark's "before")."""
        raw = dict(shipped("sentiment"))
        specs = raw.pop("packages", {}) if packages else {}
        raw.pop("packages", None)
        english = raw.pop("en", {})
        vader = SentimentIntensityAnalyzer()
        for word in english.get("neutral", []):
            vader.lexicon.pop(word, None)  # this instance's own copy of the lexicon; see sentiment.toml
        vader.emojis.update(raw.pop("emoji", {}))
        tables = {lang: lexicon_packages.load(spec) for lang, spec in specs.items()}
        lexicons = {
            lang: Lexicon.of(raw.get(lang, {}), tables.get(lang), lexicon_packages.suffixes(specs.get(lang, {})))
            for lang in {*raw, *tables}
        }
        return Sentiment(MappingProxyType(lexicons), vader)

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
