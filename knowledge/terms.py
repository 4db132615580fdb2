"""Content words for matching a question against sections and sentences: stop and filler words dropped, a crude
stem, cached per word; plus markers for situations named by a phrase ("isn't showing up")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from knowledge import tokenize as script_words
from knowledge.tokenize import stopwords

# Words a question is phrased with rather than about; bm25s' stop lists keep many of them.
_FILLER_WORDS = (
    "a an the do does did you your yours we our ours i me my mine can could would should will is are was be been",
    "it its this that there here what which who how when where why want wants need needs got get help please pls",
    "hey hi hello just like still any some thing things way able re ve ll don doesn didn isn aren wasn",
    "cant dont doesnt didnt isnt wont hallo mehr hola whats hows wheres whos thats theres im ive youre",
    "ich wir sie ihr unser unsere unseren mein meine kann können wie wo was wann warum bitte brauche brauchen",
    "yo tu nosotros nuestro nuestra mi mis puedo podemos cómo como dónde donde qué que cuándo por favor",
    "necesito necesita necesitamos quiero queremos",
)
_FILLER = frozenset(word for line in _FILLER_WORDS for word in line.split())


def terms(text: str, language: str) -> set[str]:
    """Content words for overlap: stop and filler words dropped, English plural and tense endings stripped, then
    cut to a short prefix, a crude stem that makes "encryption"/"encrypted", "types"/"type", "IPs"/"IP" and
    "Rechnung"/"Rechnungen" meet (while "contabilidad" and "contactos" stay apart)."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return set(_short_text_terms(text, language))
    return _text_terms(text, language)


# A reply reads the same sections, sentences and list items several times (section choice, snippet, answer) and the
# same top articles across messages: texts up to a passage's size keep their terms (bounded: ≤ 4096 × 1.2k chars).
_CACHED_TEXT_CHARS = 1200


@lru_cache(maxsize=4096)
def _short_text_terms(text: str, language: str) -> frozenset[str]:
    return frozenset(_text_terms(text, language))


def _text_terms(text: str, language: str) -> set[str]:
    return word_terms(script_words.words(text), language)


def word_terms(words: Iterable[str], language: str) -> set[str]:
    """The content terms of words already split (`knowledge.tokenize.words`): the index reads an article's terms
    with its BM25 tokens, from the same words."""
    out = {_term(w, language) for w in set(words)}  # a long article repeats its words
    out.discard("")
    return out


@lru_cache(maxsize=200_000)
def _term(word: str, language: str) -> str:
    """One word's content term ("" for a stop or filler word): a reply reads the same few thousand words again
    and again (each section is tokenised several times per message), so the work is done once per word."""
    if word in stopwords(language) or word in _FILLER or len(word) < 2:
        return ""
    w = _SAME.get(word, word)
    english = language.startswith("en")
    if english:
        for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
            if w.endswith(suffix) and len(w) - len(suffix) >= 2 and not w.endswith("ss"):
                w = w[: len(w) - len(suffix)] + keep
                break
    return w[: 5 if english else 6]


@lru_cache(maxsize=4096)
def situations(text: str) -> frozenset[str]:
    """Markers for situations a question names by a phrase no single content word carries: "the reset mail isn't
    showing up", "keine Mail bekommen", "no me llega el correo" all mean the section headed "The email did not
    arrive" / "Die E-Mail ist nicht angekommen" / "No llega el correo". Used only to choose an article's section
    (the marker cannot be a word, so it never meets an ordinary term)."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return frozenset(mark for mark, pattern in _SITUATIONS if pattern.search(folded))


_SITUATIONS = (
    (
        "~not-arrived",
        re.compile(
            r"\b(?:(?:did|has|have|is|are|was|does|do)\s*n[o']?t|didnt|hasnt|havent|isnt|arent|doesnt|dont|never|not|no)"
            r"\s+(?:\w+\s+){0,2}?(?:arriv\w*|c[ao]me|show(?:s|ing|ed|n)?\s+up|turn(?:s|ing|ed)?\s+up|receiv\w*)\b"
            r"|\b(?:didn'?t|did\s+not|never|haven'?t|have\s+not)\s+(?:get|got|gotten)\b"
            r"|\b(?:nicht|nie|keine?n?)\s+(?:\w+\s+){0,3}?(?:angekommen|bekommen|erhalten)\b"
            r"|\bkommt\s+(?:\w+\s+){0,3}?nicht\s+an\b"
            r"|\bno\s+(?:(?:me|nos|le|les|ha|han|he|hemos)\s+)*(?:llega\w*|lleg[oó]|recib\w*)"
        ),
    ),
    # "the trial ran out", "my link expired", "when the trial ends": something came to its end.
    (
        "~ended",
        re.compile(
            r"\b(?:ran|run|runs|running)\s+out\b|\bexpir\w*|\b(?:end|ends|ended|ending)\b|\b(?:is|was|are|were)\s+over\b"
            r"|\babgelaufen\b|\bläuft\s+(?:\w+\s+)?ab\b|\bendet\b|\bvenc\w+|\bcaduc\w+|\btermin[aó]\w*"
        ),
    ),
    # "whats the biggest attachment", "max size": the question asks for a limit, which a section on sizes states
    # ("Attachment limits and sizes"). Not "limit" itself: it is a word of its own ("rate limit").
    (
        "~limit",
        re.compile(
            r"\b(?:biggest|largest|maximum|max|minimum|smallest|sizes?|how\s+(?:big|large)|höchst\w*|maxim\w*"
            r"|minim\w*|größe\w*|máxim\w*|mínim\w*|tamaño\w*)\b"
        ),
    ),
    # "archived by mistake, can we get it back", "restore a deleted board": undoing a removal.
    (
        "~restore",
        re.compile(
            r"\b(?:get|bring|have|want)\s+(?:\w+\s+){0,2}?back\b|\brestor\w*|\brecover\w*|\bundo\w*|\bundelet\w*"
            r"|\bunarchiv\w*|\bwiederherstell\w*|\bzurückhol\w*|\brecuper\w*|\brestaur\w*"
        ),
    ),
)

# Spellings of one word that a prefix cannot join ("email" / "e-mail" / "mail").
_SAME = {"email": "mail", "emails": "mail", "correo": "mail", "correos": "mail"}
