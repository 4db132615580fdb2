"""Words of a text in any script, for BM25 and content-word overlap.

`\\w+` alone fails three families of scripts a multilingual KB brings:
- scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese): a whole sentence would be one
  "word", so no question ever matches an article. Such runs become overlapping character bigrams (as Lucene's
  CJK analyser does), which match across word boundaries without a dictionary;
- scripts whose vowel signs are combining marks (Devanagari, Bengali, Tamil, Thai ...): Python's `\\w` does not
  match a mark, so "किताब" would be cut into pieces; marks are kept inside words here;
- Arabic, whose spelling varies (hamza on alef, alef maqsura, taa marbuta, optional diacritics and tatweel) and
  which glues the article, particles and pronoun suffixes to the noun ("والحساب" = "and the account"): letters
  are unified, diacritics dropped and the word light-stemmed (Larkey's light10), so "الحساب" and "حساب" meet.
Cyrillic and Greek need nothing beyond case folding (and "ё" → "е"); the caller's prefix cut does the rest.

One function, `words`, used by `knowledge.index.tokenize` (BM25) and `knowledge.terms` (content words), and the
stop words both drop.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _mark_class() -> str:
    """A regex class body of the combining marks (Unicode categories Mn, Mc, Me) of the scripts people write in
    (below U+2000, kana voicing, half marks); scanning all of Unicode at import would cost ~0.3 s."""
    ranges: list[tuple[int, int]] = []
    for code in (*range(0x2000), *range(0x3099, 0x309B), *range(0xFE20, 0xFE30)):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" if a != b else re.escape(chr(a)) for a, b in ranges)


_RUN = re.compile(rf"[\w{_mark_class()}]+")
# Scripts written without spaces between words: Han (with the CJK extensions and compatibility block), Hiragana,
# Katakana, Thai, Lao, Myanmar, Khmer.
_UNSPACED = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
)
_SEGMENT = re.compile(rf"[{_UNSPACED}]+|[^{_UNSPACED}]+")
_IS_UNSPACED = re.compile(rf"[{_UNSPACED}]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# A text with none of these has words that are its runs as they are (most of a Latin-script KB): no per-word work.
_NEEDS_WORK = re.compile(rf"[{_UNSPACED}\u0600-\u06ffё]")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# Light10's prefixes and suffixes (taa marbuta is already folded to haa).
_ARABIC_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def words(text: str) -> list[str]:
    """The text's words in order, case-folded; unspaced scripts as character bigrams (one character alone when
    a run is a single character)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not _NEEDS_WORK.search(folded):
        return _RUN.findall(folded)
    out: list[str] = []
    for run in _RUN.findall(folded):
        if not _IS_UNSPACED.search(run):
            out.append(_word(run))
            continue
        for segment in _SEGMENT.findall(run):
            if _IS_UNSPACED.match(segment):
                out.extend(_bigrams(segment))
            else:
                out.append(_word(segment))
    return [w for w in out if w]


def _bigrams(segment: str) -> list[str]:
    if len(segment) == 1:
        return [segment]
    return [segment[i : i + 2] for i in range(len(segment) - 1)]


@lru_cache(maxsize=100_000)
def _word(word: str) -> str:
    if _ARABIC.search(word):
        return _arabic(word)
    return word.replace("ё", "е")


def _arabic(word: str) -> str:
    """Larkey's "light10" stemming: one article/conjunction prefix, then common suffixes while at least two
    letters remain (the stemmer Arabic IR systems use when there is no morphological analyser)."""
    word = _ARABIC_DIACRITICS.sub("", word).translate(_ARABIC_LETTERS)
    if word.startswith("و") and len(word) > 3:
        word = word[1:]
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


_STOP_NAMES = {
    "en": "STOPWORDS_EN",
    "de": "STOPWORDS_GERMAN",
    "es": "STOPWORDS_SPANISH",
    "fr": "STOPWORDS_FRENCH",
    "it": "STOPWORDS_ITALIAN",
    "pt": "STOPWORDS_PORTUGUESE",
    "nl": "STOPWORDS_DUTCH",
}


@lru_cache(maxsize=16)
def stopwords(language: str) -> frozenset[str]:
    import bm25s.stopwords as sw

    name = _STOP_NAMES.get(language.split("-")[0])
    return frozenset(getattr(sw, name)) if name else frozenset()
