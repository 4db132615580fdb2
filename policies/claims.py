"""Claims a reply makes that its grounding passages can contradict: quantities (prices, durations, dates, limits,
percentages) and yes/no statements.

A reply contradicts its grounding when it states a quantity of the same kind and unit as the grounding sentence it
is closest to (by shared content words), but a different value ("the trial lasts 30 days" against "Every new
workspace gets a 14-day free trial"), or when it says the opposite of that sentence ("a credit card is required"
against "No credit card is required"). A value the closest sentence does not mention at all is not a
contradiction here (the guardrail's "numbers not in the source" check covers generated text), so a verbatim
extractive reply can never contradict the passage it was taken from: its closest sentence is itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policies.text import fold, normalize, sentences

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_NUM = r"(\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
# Seconds per unit, so "2 weeks" and "14 days" are the same duration. Business days are their own unit.
_DURATIONS = {
    "second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800,
    "month": 2592000, "year": 31536000,
}  # fmt: skip
_DURATION = re.compile(rf"(?<![\w.]){_NUM}[\s-]*(business day|working day|{'|'.join(_DURATIONS)})s?\b", re.I)
_MONEY = re.compile(r"([$€£])\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(usd|eur|gbp|dollars?|euros?)\b", re.I)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}})\b|\b({_MONTHS})[a-z]*\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTHS})[a-z]*\.?(?: (\d{{4}}))?\b",
    re.I,
)
# A count of something: "100 endpoints", "20 team members", "10 GB", "5 seats" (the unit is the next word).
_COUNT = re.compile(r"(?<![\w.$€£/-])(\d[\d,]*(?:\.\d+)?)\s?(k\b)?\s*([a-z]{2,})", re.I)
_NOT_A_UNIT = (
    frozenset(["of", "and", "or", "to", "per", "a", "an", "the", "in", "on", "at", "for", "from", "by", "with", "is", "are", "was", "were", "if", "than", "times", "x"])
    | frozenset(_DURATIONS)
    | frozenset(f"{u}s" for u in _DURATIONS)
    | frozenset({"business", "working", "usd", "eur"})
)

# Words that turn a statement into its opposite, per supported language (folded: accents removed).
_NEGATIONS = frozenset(
    ["not", "no", "never", "cannot", "cant", "can't", "don't", "dont", "doesn't", "doesnt", "isn't", "isnt", "aren't", "arent", "won't", "wont", "wasn't", "didn't", "shouldn't", "couldn't", "haven't", "hasn't", "none", "nothing", "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "nunca", "ni", "jamais", "pas", "ne", "n'", "nao", "non", "mai", "niet", "geen", "nooit"]
)
_STOPWORDS = (
    frozenset(
        ["a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "from", "by", "with", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "you", "your", "we", "our", "us", "they", "their", "he", "she", "his", "her", "i", "my", "me", "can", "could", "will", "would", "should", "may", "might", "must", "do", "does", "did", "has", "have", "had", "there", "here", "what", "when", "where", "which", "who", "how", "so", "than", "then", "also", "any", "all", "each", "every", "only", "just", "der", "die", "das", "und", "oder", "ein", "eine", "ist", "sind", "mit", "von", "zu", "im", "in", "den", "dem", "des", "fur", "auf", "es", "sie", "wir", "ihr", "ihre", "kann", "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "con", "por", "para", "es", "son", "se", "su", "sus", "que", "lo", "le", "al", "le", "la", "les", "un", "une", "et", "ou", "de", "du", "des", "en", "avec", "pour", "est", "sont", "se", "sa", "son", "ses", "que", "qui", "vous", "nous", "o", "a", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "dos", "das", "em", "com", "por", "para", "e", "sao", "se", "seu", "sua", "que", "il", "lo", "la", "gli", "le", "un", "una", "e", "o", "di", "del", "della", "in", "con", "per", "e", "sono", "si", "suo", "sua", "che", "de", "het", "een", "en", "of", "van", "in", "met", "voor", "is", "zijn", "u", "uw", "we", "ons", "dat", "die"]
    )
    | _NEGATIONS
)
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # price | duration | date | percent | count
    unit: str  # currency, "seconds", "business day", the counted noun ...
    value: str  # normalised, comparable as a string
    text: str  # as written, for the reason an agent reads


def _number(raw: str) -> float:
    raw = raw.lower().replace(",", "")
    return float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)


def _fmt(value: float) -> str:
    return f"{value:g}"


def quantities(sentence: str) -> list[Quantity]:
    """The quantities one sentence states, each with its kind and unit."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], q: Quantity) -> None:
        taken.append(match.span())
        out.append(q)

    for m in _DATE.finditer(sentence):
        if m.group(1):
            value = m.group(1)
        elif m.group(2):
            value = f"{m.group(2)[:3].lower()} {int(m.group(3))} {m.group(4) or ''}".strip()
        else:
            value = f"{m.group(6)[:3].lower()} {int(m.group(5))} {m.group(7) or ''}".strip()
        add(m, Quantity("date", "date", value, m.group(0)))
    for m in _MONEY.finditer(sentence):
        currency = (m.group(1) or m.group(4) or "").lower()
        currency = {"$": "usd", "dollar": "usd", "dollars": "usd", "€": "eur", "euro": "eur", "euros": "eur"}.get(
            currency, {"£": "gbp"}.get(currency, currency)
        )
        add(m, Quantity("price", currency, _fmt(_number(m.group(2) or m.group(3))), m.group(0)))
    for m in _PERCENT.finditer(sentence):
        add(m, Quantity("percent", "%", _fmt(_number(m.group(1))), m.group(0)))
    for m in _DURATION.finditer(sentence):
        unit = m.group(2).lower()
        if unit in ("business day", "working day"):
            add(m, Quantity("duration", "business day", _fmt(_number(m.group(1))), m.group(0)))
        else:
            add(m, Quantity("duration", "seconds", _fmt(_number(m.group(1)) * _DURATIONS[unit]), m.group(0)))
    for m in _COUNT.finditer(sentence):
        if any(start <= m.start() < end for start, end in taken):
            continue
        noun = m.group(3).lower()
        if noun in _NOT_A_UNIT:
            continue
        noun = noun[:-1] if len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss") else noun
        value = _number(m.group(1)) * (1000 if m.group(2) else 1)
        out.append(Quantity("count", noun, _fmt(value), m.group(0).strip()))
    return out


def content_words(sentence: str) -> set[str]:
    """The words that say what a sentence is about (no function words, negations or numbers)."""
    return {w for w in _WORD.findall(fold(sentence)) if w not in _STOPWORDS and not w[0].isdigit() and len(w) > 1}


def negated(sentence: str) -> bool:
    words = _WORD.findall(fold(sentence))
    return any(w in _NEGATIONS or w.endswith("n't") for w in words)


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    words: frozenset[str]
    quantities: tuple[Quantity, ...]
    negated: bool


def _parse(text: str) -> _Sentence:
    return _Sentence(text, frozenset(content_words(text)), tuple(quantities(text)), negated(text))


MIN_SHARED = 2  # content words a reply sentence must share with a passage sentence to be about the same thing
YES_NO_SHARED = 3  # ... and for opposite polarity to count as saying the opposite
YES_NO_OVERLAP = 0.6  # share of the reply sentence's content words found in the passage sentence


def _closest(claim: _Sentence, candidates: Iterable[_Sentence]) -> _Sentence | None:
    """The candidate sentence sharing the most content words with the claim (at least `MIN_SHARED`)."""
    candidates = [g for g in candidates if len(claim.words & g.words) >= MIN_SHARED]
    if not candidates:
        return None
    return max(candidates, key=lambda g: (len(claim.words & g.words), -len(g.words - claim.words)))


def _quantity_conflict(claim: _Sentence, q: Quantity, grounding: Sequence[_Sentence]) -> str | None:
    """The grounding states a different value of this kind and unit, in a sentence closer to the claim than any
    sentence stating the claim's own value ("30-day free trial" against "a 14-day free trial", even though "30-day
    event retention" is stated too)."""

    def agrees(g: _Sentence) -> bool:
        return any(o.kind == q.kind and o.unit == q.unit and o.value == q.value for o in g.quantities)

    def differs(g: _Sentence) -> bool:
        return any(o.kind == q.kind and o.unit == q.unit and o.value != q.value for o in g.quantities)

    support = max((len(claim.words & g.words) for g in grounding if agrees(g)), default=-1)
    best = _closest(claim, (g for g in grounding if differs(g) and not agrees(g)))
    if best is None or len(claim.words & best.words) <= support:
        return None
    theirs = next(o for o in best.quantities if o.kind == q.kind and o.unit == q.unit)
    return f'{_KINDS[q.kind]} "{q.text}" where the source says "{theirs.text}"'


_KINDS = {"price": "price", "duration": "duration", "date": "date", "percent": "percentage", "count": "limit"}


def contradiction(reply: str, passages: Sequence[str]) -> str | None:
    """A readable account of the first claim of `reply` its grounding says otherwise, or None."""
    grounding = [_parse(s) for p in passages for s in sentences(p)]
    if not grounding:
        return None
    # A sentence quoted word for word cannot contradict its source, even where the source's sentences are cut
    # differently ("- Event delivery pauses." is the item of a list whose intro says "If you have not chosen a plan").
    verbatim = " ".join(normalize(p) for p in passages)
    for raw in sentences(reply):
        claim = _parse(raw)
        if not claim.words or f" {normalize(raw)} " in f" {verbatim} ":
            continue
        for q in claim.quantities:
            conflict = _quantity_conflict(claim, q, grounding)
            if conflict is not None:
                return conflict
        best = _closest(claim, grounding)
        if best is None or best.negated == claim.negated:
            continue
        shared = claim.words & best.words
        if len(shared) >= YES_NO_SHARED and len(shared) >= YES_NO_OVERLAP * len(claim.words):
            return f'"{_clip(raw)}" where the source says "{_clip(best.text)}"'
    return None


def _clip(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
