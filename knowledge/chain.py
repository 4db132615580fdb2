"""Turning ranked articles into answer text: extractive by default, an LLM through LangChain when configured.

The extractive answer is composed from the section of the top article that answers the question (`best_passage`,
`compose`): whole sentences and whole lists, a procedure from step 1, the article link at the end, plain text with
list items on their own lines. The LLM path gets only the retrieved passages and is told to answer from them alone;
its token usage is returned for cost accounting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bot.sentences import sentences as split_sentences
from bot.types import TokenUsage
from knowledge.documents import Article, Passage, plain_text
from knowledge.index import stopwords

# Question openings that ask for a procedure: the section's steps are the answer, not its first sentence.
_HOW = re.compile(
    r"^\W*(how (do|can|to|should|would)|what do i|what are the steps|steps|"
    r"can (i|we) (switch|set|turn|add|change|move|connect|create|get)|"
    r"wie (kann|können|erstelle|richte|ändere|aktiviere|lösche|füge)|was muss|cómo|como (puedo|activo|creo|cambio))\b",
    re.I,
)
_HOW_ANYWHERE = re.compile(
    r"\b(how (do|can|to|should)|steps?|wie (kann|erstelle|richte)|cómo)\b",
    re.I,
)


# Section choice: dense similarity is on the same footing as the weighted word overlap (0..~2); the lead's and a
# procedure's bonuses are small nudges. Set by reading replies on the example KB: the chosen section matched a
# hand-picked one for 74 of 86 answerable questions (lead bonus 0 or 0.2: 67 / 71; dense weight 0.5 or 1.5: 72 /
# 73; no procedure bonus: 73). A small, flat optimum: these are round numbers, not a fit.
DENSE_WEIGHT, LEAD_BONUS, STEPS_BONUS = 1.0, 0.1, 0.3


def best_passage(
    article: Article, query: str, passage_sims: np.ndarray | None, language: str, *, shortlist: int = 4
) -> Passage | None:
    """The section that best answers `query` (see `section_scores`)."""
    scores = section_scores(article, query, passage_sims, language, shortlist=shortlist)
    if not scores:
        return None
    best = max(scores, key=lambda pair: pair[1])[0]
    return article.passages[best]


def section_scores(
    article: Article, query: str, passage_sims: np.ndarray | None, language: str, *, shortlist: int = 4
) -> list[tuple[int, float]]:
    """(passage index, score) for the passages considered as the answer's section.

    Scored on the words the question shares with each section's heading (a heading names what its section
    answers, so a shared word there counts double) and text, weighted by how few sections share it, plus dense
    similarity. The article's lead gets a bonus: a help article's first paragraph answers its main question, and
    the article was retrieved because the question looked like that main question. Long manuals are narrowed to
    the `shortlist` passages the dense keys rank highest (plus the lead) before any tokenizing.
    """
    candidates = list(range(len(article.passages)))
    if len(candidates) > 3 * shortlist:
        if passage_sims is not None and len(passage_sims):
            top = set(np.argsort(-passage_sims)[:shortlist].tolist()) | {0}
            candidates = sorted(i for i in top if i < len(article.passages))
        else:
            candidates = candidates[: 3 * shortlist]
    q = terms(query, language) | situations(query)
    steps = _wants_steps(query)
    sections = []
    for i in candidates:
        p = article.passages[i]
        lead = i == 0 or p.heading == article.title
        heading = set() if lead else terms(p.heading, language) | situations(p.heading)
        sections.append((i, heading, terms(p.text, language), lead))
    # A word in every section (usually the article's topic: "password" in a password article) says nothing about
    # which section answers; a word in one section says a lot. Each shared word counts 1/(sections it is in).
    df: dict[str, int] = {}
    for _, heading, text, _ in sections:
        for w in q & (heading | text):
            df[w] = df.get(w, 0) + 1
    out = []
    for i, heading, text, lead in sections:
        dense = float(passage_sims[i]) if passage_sims is not None and i < len(passage_sims) else 0.0
        procedure = steps and bool(_ORDERED.search(article.passages[i].text))
        # A how-to question is answered by the steps, not by the lead's summary of them.
        out.append(
            (i, _section_score(q, heading, text, df, dense, lead=lead and not steps, steps=procedure) - 0.01 * i)
        )
    return out


def _section_score(
    q: set[str], heading: set[str], text: set[str], df: dict[str, int], dense: float, *, lead: bool, steps: bool
) -> float:
    """Dense similarity plus weighted word overlap (a heading names what its section answers: its words count
    double); the lead gets a small bonus (a help article's first paragraph answers its main question), and so
    does a numbered procedure when the question asks how to do something."""
    n = len(q) or 1
    lexical = sum((2.0 if w in heading else 1.0) / df[w] for w in q & (heading | text)) / n
    return DENSE_WEIGHT * dense + lexical + (LEAD_BONUS if lead else 0.0) + (STEPS_BONUS if steps else 0.0)


_ORDERED = re.compile(r"^1[.)]\s", re.M)
# Words a question is phrased with rather than about; bm25s' stop lists keep many of them.
_FILLER_WORDS = (
    "a an the do does did you your yours we our ours i me my mine can could would should will is are was be been",
    "it its this that there here what which who how when where why want wants need needs got get help please pls",
    "hey hi hello just like still any some thing things way able re ve ll don doesn didn isn aren wasn",
    "cant dont doesnt didnt isnt wont hallo mehr hola",
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
    words = set(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))  # a long article repeats its words
    out = {_term(w, language) for w in words}
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
)

_WORD = re.compile(r"\w+")
# Spellings of one word that a prefix cannot join ("email" / "e-mail" / "mail").
_SAME = {"email": "mail", "emails": "mail", "correo": "mail", "correos": "mail"}


# --- composing the reply ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a section the answer may quote: a sentence, or a whole list with the sentence introducing it."""

    sentences: tuple[str, ...]  # a prose sentence, or the intro (may be empty) of a list
    items: tuple[str, ...] = ()  # list items, each one line (marker included)
    ordered: bool = False
    opens: bool = True  # starts a paragraph: a reply may start here without losing what "that" refers to

    @property
    def is_list(self) -> bool:
        return bool(self.items)

    def text(self) -> str:
        lines = [" ".join(self.sentences)] if self.sentences else []
        return "\n".join([*lines, *self.items])


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|`+|~~)")
_ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def _inline(markdown: str) -> str:
    """Inline Markdown to plain text: links keep their label, emphasis and code marks go."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_MARK.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _table_sentences(rows: list[list[str]]) -> list[str]:
    """A Markdown table as sentences, one per row: "Endpoints: Starter 10, Growth 100, Enterprise Unlimited."."""
    if len(rows) < 2:
        return [", ".join(c for c in row if c) + "." for row in rows if any(row)]
    header, body = rows[0], rows[1:]
    out = []
    for row in body:
        if not row or not row[0]:
            continue
        cells = [f"{h} {c}".strip() if h else c for h, c in zip(header[1:], row[1:], strict=False) if c]
        out.append(f"{row[0]}: {', '.join(cells)}.")
    return out


def units(markdown: str) -> list[Unit]:
    """A section's Markdown as answer units, in order. Code blocks are left out (a chat reply is no place for
    them; the article link carries them), tables become one sentence per row, and a list keeps the sentence that
    introduces it when that sentence ends with ":"."""
    return list(_units(markdown))


@lru_cache(maxsize=2048)
def _units(markdown: str) -> tuple[Unit, ...]:
    # Parsed once per section text: a reply parses the top sections several times (snippets, answer) and popular
    # sections come back message after message. Units are frozen, so the cached tuple is shared safely.
    return tuple(_parse_units(markdown))


def _parse_units(markdown: str) -> list[Unit]:
    out: list[Unit] = []
    paragraph: list[str] = []
    items: list[str] = []
    ordered = False
    table: list[list[str]] = []
    fenced = False

    def flush_paragraph() -> None:
        if paragraph:
            sents = split_sentences(_inline(" ".join(paragraph)))
            out.extend(Unit((s,), opens=i == 0) for i, s in enumerate(sents))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            intro: tuple[str, ...] = ()
            opens = True
            if out and not out[-1].is_list and out[-1].sentences[-1].endswith(":"):
                popped = out.pop()
                intro, opens = popped.sentences, popped.opens
            out.append(Unit(intro, tuple(items), ordered, opens))
            items.clear()

    def flush_table() -> None:
        if table:
            out.extend(Unit((s,)) for s in _table_sentences(table))
            table.clear()

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            flush_paragraph()
            flush_items()
            if not fenced and out and not out[-1].is_list and out[-1].sentences[-1].endswith(":"):
                out.pop()  # "The header looks like this:" introduces a code block the reply leaves out
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.lstrip().startswith("|"):
            flush_paragraph()
            flush_items()
            if not _TABLE_RULE.match(line.strip()):
                table.append([_inline(c) for c in line.strip().strip("|").split("|")])
            continue
        flush_table()
        if not line.strip():
            flush_paragraph()
            flush_items()
            continue
        m = _ITEM.match(line)
        if m and not m.group(1):
            flush_paragraph()
            if not items:
                ordered = m.group(2)[0].isdigit()
            marker = f"{len(items) + 1}." if ordered else "-"
            items.append(f"{marker} {_inline(m.group(3))}")
        elif items and (m or raw[:1].isspace()):
            items[-1] += " " + _inline(line)  # a nested item or a wrapped line belongs to the item above
        else:
            flush_items()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_items()
    flush_table()
    return out


def compose(
    article: Article,
    passage: Passage,
    query: str,
    language: str,
    *,
    max_units: int = 2,
    max_chars: int = 700,
    link: bool = True,
) -> str:
    """The reply a support agent would write from one section: what answers the question, whole.

    - Starts at the section's first unit unless a later one clearly matches the question better; a list is taken
      whole from its first item (never from step 3), with the sentence that introduces it.
    - A "how do I / where" question on a section that has steps gets the steps.
    - At most `max_units` units (a list counts as one, as the persona counts it) and `max_chars` characters;
      what does not fit is left out whole, never cut mid-sentence or mid-list.
    - A bare list gets its section heading as its intro, and the reply ends with "More: <article url>".
    """
    found = units(passage.text)
    if not found:
        return ""
    q = terms(query, language)
    overlap = [len(q & terms(u.text(), language)) for u in found]
    start = 0
    best = max(range(len(found)), key=lambda i: (overlap[i], -i))
    if overlap[best] >= 2 and overlap[best] > overlap[0]:
        start = best
        # A sentence from mid-paragraph ("If there is no response in that time, ...") leans on the ones before
        # it: start at its paragraph's first sentence when both fit.
        opening = start
        while opening > 0 and not found[opening].opens:
            opening -= 1
        if start - opening < max_units:
            start = opening
    steps = _wants_steps(query)
    lists = [i for i, u in enumerate(found) if u.is_list]
    if lists and not found[start].is_list and (steps or _WHERE.search(query)):
        start = max(lists, key=lambda i: (overlap[i], -i))
    candidates = found[start:]
    if candidates[0].ordered and _asks_fact(query):
        # "can an endpoint be plain http?" is answered by what step 3 says, not by the whole procedure.
        candidates = [*_focus(candidates[0], q, language), *candidates[1:]]
    chosen: list[Unit] = []
    size = 0
    for u in candidates:
        if len(chosen) >= max_units or (u.is_list and any(c.is_list for c in chosen)):
            break  # one list per reply: two procedures in a chat message read as a manual
        if u.is_list and len(u.text()) > max_chars:
            u = _condensed(u)
        length = len(u.text()) + 1
        if chosen and size + length > max_chars:
            break
        if not chosen and length > max_chars and not u.is_list:
            chosen.append(Unit((_clip(u.text(), max_chars),)))
            break
        chosen.append(u)
        size += length
    if chosen and chosen[0].is_list and not chosen[0].sentences:
        chosen[0] = Unit((_heading_intro(passage, article),), chosen[0].items, chosen[0].ordered)
    text = _render(chosen)
    if link and article.url and text:
        text += f"\n{_more(language)} {article.url}"
    return text


def _focus(unit: Unit, q: set[str], language: str) -> list[Unit]:
    """The one step of a procedure that clearly carries the answer, as plain sentences (from its first sentence
    that shares a word with the question); the whole procedure when no single step stands out."""
    scores = [len(q & terms(item, language)) for item in unit.items]
    best = max(range(len(scores)), key=lambda i: scores[i])
    if scores[best] < 2 or sorted(scores)[-2:].count(scores[best]) > 1:
        return [unit]
    sents = split_sentences(_ITEM_MARKER.sub("", unit.items[best], count=1))
    first = next((i for i, s in enumerate(sents) if q & terms(s, language)), 0)
    return [Unit((s,)) for s in sents[first:]]


def _condensed(unit: Unit) -> Unit:
    """A long list cut to each item's first sentence: every step is still there, only the detail goes."""
    items = []
    for item in unit.items:
        m = _ITEM_MARKER.match(item)
        marker = m.group(0) if m else ""
        sents = split_sentences(item[len(marker) :])
        items.append(marker + (sents[0] if sents else ""))
    return Unit(unit.sentences, tuple(items), unit.ordered)


_ITEM_MARKER = re.compile(r"^(?:\d{1,3}\.|-)\s+")


# "Where do I put the new card?": within a section that has steps, the steps say where.
_WHERE = re.compile(r"\b(where (do|can|should) (i|we)|wo (kann|finde|muss) ich|dónde (puedo|pongo|cambio))\b", re.I)
# Questions about a fact ("can an endpoint be plain HTTP?", "what characters are allowed?"), not a request to do
# something ("can we switch to yearly", "how do I ...").
_FACT = re.compile(
    r"^\W*(is|are|does|do|can|could|will|would|what|which|how (many|much|long|big|often)|why|"
    r"gibt es|ist|sind|kann|welche|was|wie (lange|viel|viele)|es|son|puede|cuánto|cuántos|cuál|qué|por qué)\b",
    re.I,
)
_OWN_ACTION = re.compile(r"^\W*(can|could|do|should|kann|können|puedo|podemos) (i|we|ich|wir)\b", re.I)


def _asks_fact(query: str) -> bool:
    return bool(_FACT.search(query)) and not _OWN_ACTION.search(query) and not _wants_steps(query)


def _wants_steps(query: str) -> bool:
    return bool(_HOW.search(query) or _HOW_ANYWHERE.search(query))


def _heading_intro(passage: Passage, article: Article) -> str:
    heading = _inline(passage.heading or article.title).rstrip(" :.")
    return heading if heading.endswith("?") else f"{heading}:"


def _render(chosen: list[Unit]) -> str:
    lines: list[str] = []
    prose: list[str] = []
    for u in chosen:
        prose.extend(u.sentences)
        if u.is_list:
            if prose:
                lines.append(" ".join(prose))
                prose = []
            lines.extend(u.items)
    if prose:
        lines.append(" ".join(prose))
    return "\n".join(lines)


def _clip(text: str, max_chars: int) -> str:
    cut = text[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


_MORE = {"de": "Mehr dazu:", "es": "Más información:"}


def _more(language: str) -> str:
    return _MORE.get(language.split("-")[0], "More:")


def extract(passage: Passage, query: str, language: str, *, max_sentences: int = 2, max_chars: int = 400) -> str:
    """Plain sentences of the passage (no lists), starting at the one sharing most words with the question: the
    one-line snippet shown with each ranked article."""
    sents = [s for u in units(passage.text) for s in (u.sentences or u.items)]
    sents = [re.sub(r"^(\d{1,3}\.|-)\s+", "", s) for s in sents]
    if not sents:
        return ""
    q = terms(query, language)
    overlap = [len(q & terms(s, language)) for s in sents]
    start = int(np.argmax([o - 0.1 * i for i, o in enumerate(overlap)])) if q else 0
    # Only skip the passage's opening for a clearly better match: a later sentence sharing one word with the
    # question often depends on the sentences before it.
    if overlap[start] < 2 or overlap[start] <= overlap[0]:
        start = 0
    out: list[str] = []
    for s in sents[start:]:
        if out and (len(out) >= max_sentences and not out[-1].endswith(":")):
            break
        if out and len(" ".join([*out, s])) > max_chars:
            break
        out.append(s)
    text = " ".join(out)
    return _clip(text, max_chars) if len(text) > max_chars else text


SYSTEM_PROMPT = """You are a support assistant answering a customer.
{persona}
Answer ONLY from the passages below. If they do not contain the answer, reply exactly: NO_ANSWER
Keep it short, plain text, no preamble about being an AI, do not invent links, prices, dates or numbers.

Passages:
{passages}"""


def llm_answer(
    chat_model: Any, persona: str, question: str, passages: Sequence[tuple[Article, Passage]]
) -> tuple[str, TokenUsage]:
    """Ask a LangChain chat model to answer from `passages` only. Returns ("", usage) when it declines."""
    from langchain_core.messages import HumanMessage, SystemMessage

    context = "\n\n".join(f"[{a.id}] {a.title} — {p.heading}\n{plain_text(p.text)}" for a, p in passages)
    messages = [
        SystemMessage(SYSTEM_PROMPT.format(persona=persona.strip(), passages=context)),
        HumanMessage(question),
    ]
    reply = chat_model.invoke(messages)
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    meta = getattr(reply, "usage_metadata", None) or {}
    usage = TokenUsage(
        input_tokens=int(meta.get("input_tokens", 0)) or _approx_tokens(" ".join(str(m.content) for m in messages)),
        output_tokens=int(meta.get("output_tokens", 0)) or _approx_tokens(text),
    )
    text = text.strip()
    return ("" if "NO_ANSWER" in text else text), usage


def _approx_tokens(text: Any) -> int:
    # Providers without usage metadata (and fake models in tests) still get a cost estimate: ~4 chars per token.
    return max(1, len(str(text)) // 4)
