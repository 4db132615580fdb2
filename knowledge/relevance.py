"""The relevance gate: does the KB have *anything* on this question (`no_knowledge` vs `low_confidence`)?"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from knowledge.documents import Article
from knowledge.retriever import RANK_FEATURES, Ranking
from knowledge.terms import terms


class Found(Protocol):
    """What the gate reads of a retrieval (`knowledge.base.Retrieval`)."""

    @property
    def ranking(self) -> Ranking: ...
    @property
    def confidence(self) -> float: ...
    @property
    def ranked_confidence(self) -> float: ...
    @property
    def qvec(self) -> Any: ...

    def article(self, i: int = 0) -> Article: ...


# A calibrated confidence this high means the KB covers the question whatever the word overlap (a paraphrase).
CONFIDENT = 0.6
# Dense similarity of the best key at or above which the article is about the question's subject (wordllama and
# MiniLM cosines of unrelated support questions sit around 0.2-0.35).
RELATED_SIMILARITY = 0.4
# With the dense and a lexical retriever agreeing, a middling ranking confidence stands in for the dense
# relatedness ("invited someone last week and they say the link doesn't work anymore": cosine 0.36, confidence 0.56).
AGREED_CONFIDENT = 0.5
AGREEING_RETRIEVERS = 3  # of 4: with word coverage, enough to call an article relevant whatever its dense score


def is_relevant(
    r: Found, text: str, language: str, floor: float, article_terms: Callable[[Article], set[str]] | None = None
) -> bool:
    """Whether the KB has something on this question at all, as opposed to whether the answer is right.

    The two escalations mean different things to a team: `no_knowledge` ("nothing covers this yet": write an
    article) and `low_confidence` ("an article is about this, but the AI is unsure": check the answer). Calibrated
    confidence cannot tell them apart: it is low both for an off-topic question and for one two articles could
    answer. Relevance is judged on the best article itself: it contains at least `floor` of the question's content
    words and its closest key is semantically related; or the calibrated confidence is high anyway; or, whatever
    the wording ("our card expires next week, where do i put the new one"), the dense retriever and a lexical one
    both put this article first and it is semantically related (or the ranking is at least middling sure): two
    independent retrievers found the same page; or it holds `floor` of the question's words and three of the four
    retrievers put it first. The confidence read here is the parameters file's, before any recalibration.
    """
    if not r.ranking.hits:
        return False
    confidence = r.ranked_confidence if r.ranked_confidence >= 0 else r.confidence
    if confidence >= CONFIDENT:
        return True
    article = r.article(0)
    words = terms(text, language)
    if not words:
        return False
    top = dict(zip(RANK_FEATURES, r.ranking.hits[0].features.tolist(), strict=True))
    related = r.qvec is None or top["d_max"] >= RELATED_SIMILARITY
    if top["d_top"] and (top["bm_top"] or top["bms_top"]) and (related or confidence >= AGREED_CONFIDENT):
        return True
    covered = article_terms(article) if article_terms else content_terms(article)
    share = len(words & covered) / len(words)
    # Three of the four retrievers (BM25 over articles, sections and titles; dense) agreeing stands in for the
    # dense relatedness: a question of codes and numbers ("api is returning 402 payment required") has a static
    # embedding close to nothing, while its words are plainly in the article.
    agreed = top["bm_top"] + top["bms_top"] + top["bmk_top"] + top["d_top"] >= AGREEING_RETRIEVERS
    return share >= floor and (related or agreed)


def content_terms(article: Article) -> set[str]:
    """An article's content words: its title, body and known questions."""
    return terms(" ".join([article.title, article.body, *article.questions]), article.language)


def coverage(question: str, article_terms: set[str], language: str) -> float:
    """The share of the question's content words the article holds (0 for a question without any)."""
    words = terms(question, language)
    return len(words & article_terms) / len(words) if words else 0.0
