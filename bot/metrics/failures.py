"""What went wrong in a period, per question and per article: shared by the Monday digest and the leads' dashboard.

Pure functions over loaded `Records` (no I/O). A failed question is a customer question the AI handed over for low
confidence, no knowledge or repeated failure, or whose answer was voted "not helpful"; rewordings of one question
(mostly the same words) are one entry. A knowledge gap is a cluster of the questions the knowledge base could not
answer (no_knowledge, low_confidence), grouped by meaning when an embedder is given (see `knowledge.cluster`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.ports import DecisionRecord
from bot.metrics.records import ConversationFacts, Records

FAILURE_REASONS = ("low_confidence", "no_knowledge", "repeated_failure")
# A gap is a question nothing in the KB covers. `low_confidence` means an article is about it but the AI was unsure:
# listing those told leads to write articles that already exist (issue 14); they stay in the failed questions.
GAP_REASONS = ("no_knowledge",)
# What the AI said and got wrong, or was unsure of (failed twice, voted "not helpful", low confidence): the
# dashboard lists these apart from the knowledge gaps, so one question never shows in both tables.
ANSWER_FAILURE_REASONS = tuple(r for r in FAILURE_REASONS if r not in GAP_REASONS)
POOR_ARTICLES = 5
SAME_QUESTION = 0.6  # word-set overlap (Jaccard) at which two failed questions count as one


@dataclass(slots=True)
class FailedQuestion:
    text: str
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    languages: set[str] = field(default_factory=set)
    last: datetime | None = None
    examples: list[str] = field(default_factory=list)  # the distinct wordings grouped here, first one first

    def absorb(self, other: FailedQuestion) -> None:
        """Merge another entry into this one (a knowledge-gap cluster joins rewordings asked differently)."""
        self.count += other.count
        self.reasons.update(other.reasons)
        self.languages |= other.languages
        if other.last is not None:
            self.last = other.last if self.last is None else max(self.last, other.last)
        self.examples.extend(e for e in other.examples if e not in self.examples)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_QUESTION


def _question_behind(earlier: Sequence[DecisionRecord], escalation: DecisionRecord) -> str:
    """What the customer was asking when the AI gave up. After a failed answer ("still not working, same 401s")
    that is the question the AI answered last; for a question the knowledge base had nothing on, the message
    itself."""
    if escalation.reason == "repeated_failure":
        answered = [d.text for d in earlier if d.kind == "answer" and d.text]
        if answered:
            return answered[-1]
    return escalation.text


def in_scope(facts: list[ConversationFacts], since: datetime, until: datetime, team: str | None) -> set[str]:
    """Keys of the conversations that started in [since, until), of `team` when given."""
    return {c.key for c in facts if since <= c.first_at < until and (team is None or c.team == team)}


def _ordered(items: Iterable[FailedQuestion]) -> list[FailedQuestion]:
    return sorted(items, key=lambda q: (-q.count, -(q.last.timestamp() if q.last else 0), q.text))


def failed_questions(
    records: Records, keys: set[str], since: datetime, until: datetime, *, reasons: Sequence[str] = FAILURE_REASONS,
    votes: bool = True,
) -> list[FailedQuestion]:
    """Customer questions the AI failed on, most frequent first; rewordings of one question (mostly the same words)
    are one entry, so a knowledge gap asked five ways shows as one line with its count, not five lines.
    `reasons` are the escalation reasons that count as a failure; `votes` adds answers voted "not helpful"."""
    by_key: dict[str, list[tuple[datetime, str, str, str]]] = {}
    asked: dict[str, str] = {}  # the conversation's first customer question, for failures with no text of their own
    decisions, _, feedback = records.by_key()
    for key, history in decisions.items():  # in order of each conversation's first decision
        if key not in keys:
            continue
        asked[key] = next((d.text for d in history if d.text), "")
        for i, d in enumerate(history):
            if d.kind == "escalate" and d.reason in reasons and since <= d.at < until:
                by_key.setdefault(key, []).append((d.at, _question_behind(history[:i], d), d.reason, d.language))
        if not votes:
            continue
        for f in feedback.get(key, []):
            if f.kind == "helpful" and f.helpful is False and since <= f.at < until:
                answered = [d for d in history if d.kind == "answer" and d.at <= f.at and d.text]
                text = answered[-1].text if answered else ""
                language = answered[-1].language if answered else ""
                by_key.setdefault(key, []).append((f.at, text, "not_helpful", language))
    grouped: list[tuple[frozenset[str], FailedQuestion]] = []
    for key, failures in by_key.items():
        for at, text, reason, language in failures:
            text = (text or asked.get(key, "")).strip()
            if not text:
                continue
            words = _words(text)
            item = next((q for w, q in grouped if _similar(w, words)), None)
            if item is None:
                item = FailedQuestion(text)
                grouped.append((words, item))
            item.count += 1
            item.reasons[reason] += 1
            if text not in item.examples:
                item.examples.append(text)
            if language:
                item.languages.add(language)
            item.last = at if item.last is None else max(item.last, at)
    return _ordered(q for _, q in grouped)


Clusterer = Callable[[Sequence[str]], list[list[int]]]  # texts -> groups of indexes (knowledge.cluster.group_similar)


def knowledge_gaps(
    records: Records, keys: set[str], since: datetime, until: datetime, *, cluster: Clusterer | None = None
) -> list[FailedQuestion]:
    """Clusters of questions the knowledge base could not answer, largest first: the digest's rewordings grouping,
    then, with `cluster`, groups whose questions mean the same are merged (each cluster is named by its most asked
    question). Without an embedder the rewordings grouping alone is used."""
    gaps = failed_questions(records, keys, since, until, reasons=GAP_REASONS, votes=False)
    if cluster is None or len(gaps) < 2:
        return gaps
    merged: list[FailedQuestion] = []
    for group in cluster([q.text for q in gaps]):
        head = gaps[group[0]]
        for i in group[1:]:
            head.absorb(gaps[i])
        merged.append(head)
    return _ordered(merged)


@dataclass(frozen=True, slots=True)
class ArticlePerformance:
    article_id: str
    cited: int
    helpful: int
    not_helpful: int
    escalations_after: int
    rewrites_after: int

    @property
    def bad(self) -> int:
        return self.not_helpful + self.escalations_after + self.rewrites_after


def poor_articles(records: Records, keys: set[str], since: datetime, until: datetime,
                  top: int = POOR_ARTICLES) -> list[ArticlePerformance]:
    """The articles that did worst, worst first: unhelpful votes, escalations and rewrites after they were cited,
    when those outnumber the helpful votes."""
    from knowledge.audit import stats_from_records  # numpy-backed module; loaded only when asked

    decisions = [d for d in records.decisions if d.conversation_key in keys and since <= d.at < until]
    feedback = [f for f in records.feedback if f.conversation_key in keys and since <= f.at < until]
    scored = []
    for article, s in stats_from_records(decisions, feedback).items():
        p = ArticlePerformance(article, s.cited, s.helpful, s.not_helpful, s.escalations_after, s.rewrites_after)
        if p.bad == 0 or p.helpful > p.bad:
            continue
        scored.append(p)
    scored.sort(key=lambda p: (-p.bad, -p.cited, p.article_id))
    return scored[:top]
