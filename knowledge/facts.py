"""Facts an article states with a figure — a price, a duration, a size, a share, a count, a date — read from its
clean text, for the audit's conflict check.

A fact is one answer unit (a sentence, a list item, a table row: `knowledge.units`, so code blocks never count)
holding a quantity of a known kind, with what it is about: its content words and its names. Code spans, URLs and
version numbers are not quantities ("v11.5", "2.43.0", "`max_size=10`"), and a bare number without a unit says too
little to contradict anything, so it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.documents import Article
from knowledge.terms import terms
from knowledge.units import units

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
         "sep sept september", "oct october", "nov november", "dec december")
    )
    for m in names.split()
}  # fmt: skip
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}),?\s+(?P<y2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|" + "|".join(_NUMBER_WORDS)
_QUANTITY = re.compile(
    rf"(?P<cur>[$€£])\s?(?P<money>{_NUM})(?:\s?(?P<scale>[kKmM])\b)?"
    rf"|\b(?P<num>{_NUM})(?:\s?-\s?|\s)?(?P<unit>%|percent\b|[A-Za-z]+)",
    re.IGNORECASE,
)
_DAYS = {"second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_BYTES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_PERIOD = re.compile(r"^\W*(?:(?:per|a|an|each|/)\s*(?:user|seat|member)?\s*(?:per|/)?\s*)?(?P<p>month|year|week|day)")
_PER_USER = re.compile(r"^\W*(?:per|a|an|each|/)\s*(?:active\s+)?(?:user|seat|member)")
# Counted things a contradiction can be about (a bare "3 steps" or "2 options" rarely is).
_NOT_COUNTED = {
    "step", "option", "way", "time", "tab", "click", "more", "other", "new", "of", "or", "and", "to", "in", "on",
    "for", "at", "by", "the", "is", "are", "from", "per", "a", "an", "x", "am", "pm", "th", "st", "nd", "rd", "px",
    "s", "p", "v", "k", "m", "d", "h", "line", "column", "row", "level", "item", "character", "key",
}  # fmt: skip
_ANY_NUMBER = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_CLOCK = re.compile(r"\b(?:12|24)[- ]hour\s+(?:clock|format|time)", re.IGNORECASE)  # a clock format, not a duration
MAX_WORDS = 45
# Words that stand next to any figure ("more than 5", "after 3 days", "up to 10") and say nothing of what it measures.
_GENERIC = {
    "more", "than", "less", "after", "before", "first", "up", "least", "most", "over", "under", "within", "every",
    "each", "per", "about", "around", "only", "once", "last", "next", "until", "since", "total", "maximum", "minimum",
}  # fmt: skip
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"https?://\S+|www\.\S+")
_VERSION = re.compile(
    r"\b[vV]\d+(?:\.\d+){0,3}\b|\b\d+\.\d+\.\d+(?:\.\d+)?\b|\b(?:version|release|ESR)\s+\d+(?:\.\d+)*",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)*")


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # money/month, money/user/month, money, duration, size, percent, count:<noun>, date
    value: float
    text: str  # as written ("$10", "14 days")


@dataclass(frozen=True, slots=True)
class Fact:
    article_id: str
    sentence: str
    quantities: tuple[Quantity, ...]
    words: frozenset[str]  # content words, figures and their units left out
    names: frozenset[str]  # capitalised names inside the sentence ("Professional", "Enterprise"), a row's header
    versions: frozenset[str]
    anchors: frozenset[str] = frozenset()  # content words right next to a figure: what it measures ("trial", "fee")


def article_facts(article: Article) -> list[Fact]:
    out: list[Fact] = []
    for passage in article.passages:
        # A section headed by a release ("v5.4.0", "Release 2024-03") scopes its figures to that release.
        scope = frozenset(v.lower().lstrip("v") for v in _VERSION.findall(passage.heading))
        for unit in units(_CODE_SPAN.sub(" ", passage.text)):  # units drops the marks, so code goes first
            for text in (*unit.sentences, *unit.items):
                fact = _fact(article.id, re.sub(r"^(\d+\.|-)\s", "", text), article.language, scope)
                if fact is not None:
                    out.append(fact)
    return out


def _number(text: str) -> float:
    low = text.lower()
    return float(_NUMBER_WORDS[low]) if low in _NUMBER_WORDS else float(low.replace(",", ""))


def quantities(sentence: str) -> list[Quantity]:
    """The figures a sentence states, by kind; versions, code and URLs are not figures."""
    if not _ANY_NUMBER.search(sentence):
        return []
    text = _CLOCK.sub(" ", sentence)
    text = _VERSION.sub(" ", _URL.sub(" ", _CODE_SPAN.sub(" ", text)))
    found: list[Quantity] = []
    for m in _DATE.finditer(text):
        year = m.group("y1") or m.group("y2") or m.group("y3")
        month = m.group("m1") or m.group("m2") or m.group("m3")
        day = m.group("d1") or m.group("d2") or m.group("d3")
        number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
        try:
            found.append(Quantity("date", date(int(year), number, int(day)).toordinal(), m.group(0)))
        except ValueError:
            continue
    text = _DATE.sub(" ", text)
    for m in _QUANTITY.finditer(text):
        after = text[m.end() :]
        if m.group("cur"):
            value = _number(m.group("money")) * {"k": 1e3, "m": 1e6}.get((m.group("scale") or "").lower(), 1)
            period = _PERIOD.match(after)
            per_user = "/user" if _PER_USER.match(after) else ""
            kind = f"money{per_user}" + (f"/{period.group('p')}" if period else "")
            found.append(Quantity(kind, value, m.group(0).strip()))
            continue
        unit = m.group("unit").lower()
        value = _number(m.group("num"))
        single = unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit
        if single in _DAYS:
            found.append(Quantity("duration", value * _DAYS[single], m.group(0).strip()))
        elif unit in _BYTES:
            found.append(Quantity("size", value * _BYTES[unit], m.group(0).strip()))
        elif unit in ("%", "percent"):
            found.append(Quantity("percent", value, m.group(0).strip()))
        elif single.isalpha() and single not in _NOT_COUNTED and len(single) > 2 and terms(single, "en"):
            found.append(Quantity(f"count:{single}", value, m.group(0).strip()))
    return found


def _fact(article_id: str, sentence: str, language: str, scope: frozenset[str]) -> Fact | None:
    if len(sentence.split()) > MAX_WORDS:
        return None  # a run-on changelog entry states many things; none of them clearly
    found = quantities(sentence)
    if not found:
        return None
    versions = scope | {v.lower().lstrip("v") for v in _VERSION.findall(sentence)}
    bare = _DATE.sub(" ", _VERSION.sub(" ", _CODE_SPAN.sub(" ", sentence)))
    figure_words = {w for q in found for w in terms(q.text, language)}
    words = frozenset(w for w in terms(re.sub(r"\d+", " ", bare), language) - figure_words if len(w) > 2)
    names = {w.lower() for n in _NAME.findall(bare) for w in n.split()} - set(_MONTHS)
    header = re.match(r"^([^:]{1,60}):\s", sentence)  # a table row's sentence starts with its row header
    if header:
        names.add(header.group(1).strip().lower())
    anchors: set[str] = set()
    for q in found:
        at = bare.find(q.text)
        if at >= 0:  # up to three words on each side of the figure
            side = bare[:at].split()[-3:] + bare[at + len(q.text) :].split()[:3]
            anchors |= (terms(re.sub(r"\d+", " ", " ".join(side)), language) & words) - _GENERIC
    return Fact(article_id, sentence, tuple(found), words, frozenset(names), frozenset(versions), frozenset(anchors))
