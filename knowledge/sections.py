"""Which section of an article answers the question: word overlap weighted by rarity across the article's
sections (headings count double), dense similarity, and small bonuses for the lead and for steps."""

from __future__ import annotations

import re

import numpy as np

from knowledge.asks import wants_steps
from knowledge.documents import Article, Passage
from knowledge.terms import situations, terms

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
    steps = wants_steps(query)
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
