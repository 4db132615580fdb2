"""The extractive reply: what answers the question in one section, whole (sentences, a list from step 1, table
rows), within the persona's size, with the article link; and the one-line snippet shown with each ranked article."""

from __future__ import annotations

import re

import numpy as np

from bot.core.sentences import sentences as split_sentences
from knowledge.asks import (
    DURATION_SAID,
    INSTRUCTION,
    WHEN_SAID,
    WHERE,
    answer_form,
    asks_fact,
    figures,
    wants_steps,
    without_ask_words,
)
from knowledge.documents import Article, Passage
from knowledge.terms import terms
from knowledge.units import Unit, inline, units


def compose(
    article: Article,
    passage: Passage,
    query: str,
    language: str,
    *,
    max_units: int = 2,
    max_chars: int = 700,
    link: bool = True,
    context: str = "",
) -> str:
    """The reply a support agent would write from one section: what answers the question, whole.

    - Starts at the section's first unit unless a later one clearly matches the question better; a list is taken
      whole from its first item (never from step 3), with the sentence that introduces it.
    - A "how do I / where" question on a section that has steps gets the steps; a how-to on prose gets the sentence
      that says what to do; a question about a time, a duration, a price or a figure starts at the unit stating it.
    - `context` (a follow-up's thread) adds its words at half weight to where the reply starts.
    - At most `max_units` units (a list counts as one, as the persona counts it) and `max_chars` characters;
      what does not fit is left out whole, never cut mid-sentence or mid-list.
    - A bare list gets its section heading as its intro, and the reply ends with "More: <article url>".
    """
    found = units(passage.text)
    if not found:
        return ""
    q = terms(without_ask_words(query), language) | figures(query)
    # A follow-up's thread ("How do I request the SOC 2 report?" before "how long does that take?") names what the
    # message points at: its words count half.
    thread = terms(without_ask_words(context), language) - q if context else set()
    said = [terms(u.text(), language) | figures(u.text()) for u in found]
    overlap = [len(q & words) + 0.5 * len(thread & words) for words in said]
    start = 0
    best = max(range(len(found)), key=lambda i: (overlap[i], -i))
    form = answer_form(query)
    # "how long until our data gets wiped", "when does the change apply": the unit that states a figure or says when
    # answers it, even if another shares more of the question's words ("Growth (30 days) to Starter (7 days)" for a
    # "when"). A figure must concern the question (numbers are everywhere); a time or a duration need not ("how long
    # does that take?" shares no word with "Customers on any paid plan get access within 2 business days.").
    timely = form is WHEN_SAID or form is DURATION_SAID
    stating = [i for i, u in enumerate(found) if form and form.search(u.text()) and (overlap[i] or timely)]
    if stating:
        best = max(stating, key=lambda i: (overlap[i], -i))
    if (stating and best > 0) or (overlap[best] >= 2 and overlap[best] > overlap[0]):
        start = best
        # A sentence from mid-paragraph ("If there is no response in that time, ...") leans on the ones before
        # it: start at its paragraph's first sentence when both fit.
        opening = start
        while opening > 0 and not found[opening].opens:
            opening -= 1
        if start - opening < max_units:
            start = opening
    steps = wants_steps(query)
    lists = [i for i, u in enumerate(found) if u.is_list and (steps or u.ordered)]
    if lists and not found[start].is_list and (steps or WHERE.search(query)):
        start = max(lists, key=lambda i: (overlap[i], -i))
    candidates = found[start:]
    if candidates[0].ordered and asks_fact(query):
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
    if steps and chosen and not any(u.is_list or INSTRUCTION.search(u.text()) for u in chosen):
        chosen = _with_instruction(chosen, found[start + 1 :], max_units, max_chars)
    if chosen and chosen[0].is_list and not chosen[0].sentences:
        chosen[0] = Unit((_heading_intro(passage, article),), chosen[0].items, chosen[0].ordered)
    text = _render(chosen)
    if link and article.url and text:
        text += f"\n{_more(language)} {article.url}"
    return text


def _with_instruction(chosen: list[Unit], rest: list[Unit], max_units: int, max_chars: int) -> list[Unit]:
    """A how-to reply on a section without steps: the first sentence that tells what to do ("Toggle the thread's
    Following indicator, or select Unfollow thread") in place of the context sentences after the opening one."""
    if max_units < 2:
        return chosen  # no room beside the opening sentence
    for u in rest[: 2 * max_units + 2]:
        if not u.is_list and INSTRUCTION.search(u.text()) and u not in chosen:
            head = chosen[: max(1, max_units - 1)]
            if sum(len(c.text()) + 1 for c in head) + len(u.text()) + 1 <= max_chars:
                return [*head, u]
            return chosen
    return chosen


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


def _heading_intro(passage: Passage, article: Article) -> str:
    heading = inline(passage.heading or article.title).rstrip(" :.")
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
