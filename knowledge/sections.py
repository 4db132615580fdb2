"""Which section of an article answers the question: word overlap weighted by rarity across the article's
sections (headings count double), dense similarity, and small bonuses for the lead and for steps."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from knowledge.asks import answer_form, figures, wants_steps, without_ask_words
from knowledge.documents import Article, Passage
from knowledge.terms import situations, terms
from knowledge.units import units

# Section choice: dense similarity is on the same footing as the weighted word overlap (0..~2); the lead's and a
# procedure's bonuses are small nudges. Set by reading replies on the example KB: the chosen section matched a
# hand-picked one for 74 of 86 answerable questions (lead bonus 0 or 0.2: 67 / 71; dense weight 0.5 or 1.5: 72 /
# 73; no procedure bonus: 73). A small, flat optimum: these are round numbers, not a fit.
DENSE_WEIGHT, LEAD_BONUS, STEPS_BONUS = 1.0, 0.1, 0.3
# A question about an amount or a duration prefers a section that states one (issue 14: "after we cancel how long
# until our data gets wiped" is answered by "kept for 30 days", not by the cancel steps).
# The bonus is scaled by how much of the question the best figure-stating unit (sentence, table row) covers, so the
# table row "Events included per month: Starter 100,000, ..." beats a price sentence for "how many events per month".
QUANTITY_BONUS = 0.6
# ... and a section that states no figure (no price, no time) at all is not the answer to such a question, whatever
# words it shares with it: a section that states one starts from this share.
SAID_FLOOR = 0.4
# A situation phrase stands for a whole clause ("keine Mail bekommen"); a heading that alone names a specific word
# of the question gets a nudge. Both chosen on the example KB's replies (q085, q059) and checked neutral on the
# Mattermost report part (bench/passage_quality.py).
SITUATION_WEIGHT = 2.0
CONTEXT_WEIGHT = 0.5  # a word of the thread's earlier turns, against one of the message itself
HEADING_BONUS = 0.2


def best_passage(
    article: Article,
    query: str,
    passage_sims: np.ndarray | None,
    language: str,
    *,
    shortlist: int = 4,
    word_weight: Callable[[str], float] | None = None,
    context: str = "",
) -> Passage | None:
    """The section that best answers `query` (see `section_scores`)."""
    scores = section_scores(
        article, query, passage_sims, language, shortlist=shortlist, word_weight=word_weight, context=context
    )
    if not scores:
        return None
    best = max(scores, key=lambda pair: pair[1])[0]
    return article.passages[best]


def section_scores(
    article: Article,
    query: str,
    passage_sims: np.ndarray | None,
    language: str,
    *,
    shortlist: int = 4,
    word_weight: Callable[[str], float] | None = None,
    context: str = "",
) -> list[tuple[int, float]]:
    """(passage index, score) for the passages considered as the answer's section.

    Scored on the words the question shares with each section's heading (a heading names what its section
    answers, so a shared word there counts double) and text, weighted by how few sections share it, plus dense
    similarity. The article's lead gets a bonus: a help article's first paragraph answers its main question, and
    the article was retrieved because the question looked like that main question. Long manuals are narrowed to
    the `shortlist` passages the dense keys rank highest (plus the lead) before any tokenizing. With
    `word_weight` (how specific a word is in the whole KB), a word found everywhere in the KB ("workspace") weighs
    less than the one that names what is asked ("invite").
    """
    marks = situations(query)
    q = terms(without_ask_words(query), language) | marks | figures(query)
    # A follow-up ("and how long does that take?") is about the thread's topic: the earlier turns' words count too,
    # at half weight, while what is asked (steps, a figure, a time) is read from the message alone.
    thread = terms(without_ask_words(context), language) - q if context else set()
    q |= thread
    candidates = list(range(len(article.passages)))
    if len(candidates) > 3 * shortlist:
        if passage_sims is not None and len(passage_sims):
            order = np.argsort(-passage_sims).tolist()
            top = set(order[:shortlist]) | {0}
            # A section headed by one of the question's words ("Zoom in & zoom out display" for "how do i zoom in")
            # stays a candidate even when the dense keys rank it low (a table's key embeds poorly).
            # Only the first passages have dense keys (index.MAX_PASSAGE_KEYS): the others follow in reading order.
            order += [i for i in range(len(article.passages)) if i >= len(passage_sims)]
            headed = [i for i in order if i < len(article.passages) and q & _heading_terms(article.passages[i], language)]
            candidates = sorted(i for i in top | set(headed[:shortlist]) if i < len(article.passages))
        else:
            candidates = candidates[: 3 * shortlist]
    # A situation stands for a whole clause ("keine Mail bekommen"): it counts as much as two words.
    weights: dict[str, float] = dict.fromkeys(marks, SITUATION_WEIGHT)
    if word_weight is not None:
        for raw in _RAW_WORD.findall(without_ask_words(f"{query} {context}")):
            for t in terms(raw, language):
                weights[t] = max(weights.get(t, 0.0), 0.5 + 0.5 * word_weight(raw))
    for t in thread:
        weights[t] = CONTEXT_WEIGHT * weights.get(t, 1.0)
    if word_weight is not None:
        # Relative to the question's other words: the overlap keeps its scale against dense similarity and bonuses.
        mean = sum(weights.get(w, 1.0) for w in q) / len(q) if q else 1.0
        weights = {w: v / mean for w, v in weights.items()} if mean > 0 else weights
    steps = wants_steps(query)
    form = answer_form(query)
    sections = []
    for i in candidates:
        p = article.passages[i]
        lead = i == 0 or p.heading == article.title
        heading = set() if lead else terms(p.heading, language) | situations(p.heading)
        text = terms(p.text, language) | figures(p.text)
        # The lead's heading is the article's title: its words (the article's topic) are the lead's too, so a later
        # heading repeating them ("Rate limit headers" in "API rate limits") does not look specific.
        sections.append((i, heading, text | _heading_terms_of(article.title, language) if lead else text, lead))
    # A word in every section (usually the article's topic: "password" in a password article) says nothing about
    # which section answers; a word in one section says a lot. Each shared word counts 1/(sections it is in).
    df: dict[str, int] = {}
    for _, heading, text, _ in sections:
        for w in q & (heading | text):
            df[w] = df.get(w, 0) + 1
    n = (len(q - thread) + CONTEXT_WEIGHT * len(thread)) or 1
    # A passage past the article's dense keys (a long manual's later sections) has no similarity of its own: it
    # gets the article's typical one, neither favoured nor ruled out.
    unkeyed = float(np.median(passage_sims)) if passage_sims is not None and len(passage_sims) else 0.0
    out = []
    for i, heading, text, lead in sections:
        dense = float(passage_sims[i]) if passage_sims is not None and i < len(passage_sims) else unkeyed
        procedure = steps and bool(_ORDERED.search(article.passages[i].text))
        # Steps headed by what is asked ("Send an invitation" for "how do I invite ...") are the answer, even when
        # another section's heading names the question's context ("Workspaces with SSO enforced").
        named = STEPS_BONUS if procedure and q & heading else 0.0
        # A heading that alone names one of the question's specific words ("Events in Pending" for "deliveries
        # still pending") is what the question is about, even when the lead's summary is closer in meaning.
        if any(df[w] == 1 and weights.get(w, 1.0) >= 1.0 for w in q & heading):
            named += HEADING_BONUS
        figure = QUANTITY_BONUS * _said_coverage(article.passages[i].text, q, weights, language, form) if form else 0.0
        # A how-to question is answered by the steps, and a question about a figure by the unit stating it, not by
        # the lead's summary of them.
        lead_bonus = lead and not steps and form is None
        score = _section_score(q, heading, text, df, n, dense, weights, lead=lead_bonus, steps=procedure)
        out.append((i, score + figure + named - 0.01 * i))
    return out


def _said_coverage(
    text: str, q: set[str], weights: dict[str, float], language: str, form: re.Pattern[str]
) -> float:
    """The share of the question's (weighted) words covered by the best unit of `text` that says what is asked (a
    figure, a point in time: `form`)."""
    if not form.search(text):
        return 0.0
    total = sum(weights.get(w, 1.0) for w in q) or 1.0
    best = SAID_FLOOR
    for unit in units(text):
        said = unit.text()
        if form.search(said):
            best = max(best, sum(weights.get(w, 1.0) for w in q & (terms(said, language) | figures(said))) / total)
    return best


def _section_score(
    q: set[str],
    heading: set[str],
    text: set[str],
    df: dict[str, int],
    n: float,
    dense: float,
    weights: dict[str, float],
    *,
    lead: bool,
    steps: bool,
) -> float:
    """Dense similarity plus weighted word overlap (a heading names what its section answers: its words count
    double); the lead gets a small bonus (a help article's first paragraph answers its main question), and so
    does a numbered procedure when the question asks how to do something."""
    lexical = sum((2.0 if w in heading else 1.0) * weights.get(w, 1.0) / df[w] for w in q & (heading | text)) / n
    return DENSE_WEIGHT * dense + lexical + (LEAD_BONUS if lead else 0.0) + (STEPS_BONUS if steps else 0.0)


def _heading_terms(passage: Passage, language: str) -> set[str]:
    return _heading_terms_of(passage.heading, language)


def _heading_terms_of(heading: str, language: str) -> set[str]:
    return terms(heading, language) | situations(heading)


_ORDERED = re.compile(r"^1[.)]\s", re.M)
_RAW_WORD = re.compile(r"\w+")
