"""QA grades of AI answers (docs/METRICS.md, "QA grades"): what reviewers said about the sampled answers.

A reviewer grades one answer of a QA sample (weekly, monthly legal, per language) good / needs work / wrong, with an
optional note; the grade is stored as a `qa_grade` feedback record naming the answer (decision id) and the articles
it cited. The latest grade of an answer is the one that counts (a reviewer may change their mind, or add a note).
Pure functions over loaded feedback, shared by the digest and the dashboard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.ports import FeedbackEntry

KIND = "qa_grade"
GRADES = ("good", "needs_work", "wrong")
LABELS = {"good": "Good", "needs_work": "Needs work", "wrong": "Wrong"}


def latest(feedback: Iterable[FeedbackEntry], since: datetime, until: datetime) -> list[FeedbackEntry]:
    """Each graded answer's latest grade given in [since, until)."""
    last: dict[tuple[int | None, str], FeedbackEntry] = {}
    for f in sorted((f for f in feedback if f.kind == KIND and f.reason in GRADES), key=lambda f: f.at):
        if since <= f.at < until:
            last[(f.decision_id, f.conversation_key)] = f
    return list(last.values())


@dataclass(frozen=True, slots=True)
class GradeSummary:
    since: datetime
    until: datetime
    counts: dict[str, int]

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def good_rate(self) -> float | None:
        return self.counts.get("good", 0) / self.graded if self.graded else None

    def to_json(self) -> dict[str, object]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "graded": self.graded,
                "counts": {g: self.counts.get(g, 0) for g in GRADES}, "good_rate": self.good_rate}


def summary(feedback: Sequence[FeedbackEntry], since: datetime, until: datetime) -> GradeSummary:
    return GradeSummary(since, until, dict(Counter(f.reason for f in latest(feedback, since, until))))


def trend(feedback: Sequence[FeedbackEntry], until: datetime, weeks: int) -> list[GradeSummary]:
    """One summary per week, oldest first: the grade trend."""
    week = timedelta(days=7)
    return [summary(feedback, until - week * (k + 1), until - week * k) for k in reversed(range(weeks))]


@dataclass(frozen=True, slots=True)
class ArticleGrades:
    article_id: str
    good: int
    needs_work: int
    wrong: int
    notes: tuple[str, ...]

    @property
    def bad(self) -> int:
        return self.needs_work + self.wrong


def worst_articles(feedback: Sequence[FeedbackEntry], since: datetime, until: datetime,
                   top: int = 5) -> list[ArticleGrades]:
    """Articles whose graded answers were most often wrong or needing work (wrong weighs more), worst first."""
    counts: dict[str, Counter[str]] = {}
    notes: dict[str, list[str]] = {}
    for f in latest(feedback, since, until):
        if not f.article_ids:
            continue
        article = f.article_ids[0]
        counts.setdefault(article, Counter())[f.reason] += 1
        if f.edited_text and f.reason != "good":
            notes.setdefault(article, []).append(f.edited_text)
    out = [ArticleGrades(a, c["good"], c["needs_work"], c["wrong"], tuple(notes.get(a, ())))
           for a, c in counts.items() if c["needs_work"] + c["wrong"]]
    out.sort(key=lambda a: (-(2 * a.wrong + a.needs_work), -a.bad, a.article_id))
    return out[:top]
