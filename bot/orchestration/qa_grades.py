"""Grading one answer of a QA sample: the buttons a reviewer sees, and recording what they chose.

Each sampled answer is posted with three buttons (good / needs work / wrong). The button's value carries what the
grade needs (the answer's decision id, its conversation and the articles it cited), so recording it needs no lookup
and no schema change: it is a `qa_grade` feedback record (`bot.metrics.grades` reads them). A note, when the
reviewer adds one, is recorded as the same grade again with the note: the latest grade of an answer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.ports import DecisionRecord, FeedbackEntry, Store
from bot.core.types import Action
from bot.metrics.grades import GRADES, KIND, LABELS

ACTION = "qa_grade"
STYLES = {"good": "primary", "needs_work": "", "wrong": "danger"}
NOTE_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Graded:
    """What one grade button stands for."""

    grade: str
    decision_id: int
    conversation_key: str
    article_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.grade]

    def value(self) -> str:
        return "|".join((self.grade, str(self.decision_id), ",".join(self.article_ids), self.conversation_key))


def grade_actions(d: DecisionRecord) -> tuple[Action, ...]:
    return tuple(
        Action(ACTION, LABELS[g], Graded(g, d.id, d.conversation_key, d.article_ids).value(), STYLES[g]) for g in GRADES
    )


def parse(value: str) -> Graded:
    """The grade a button's value stands for; ValueError (a sentence) when it is not one of ours."""
    grade, _, rest = value.partition("|")
    decision, _, rest = rest.partition("|")
    articles, _, key = rest.partition("|")
    if grade not in GRADES or not decision.isdigit() or not key:
        raise ValueError("This grade button is not one Frontdesk recognises; grade from the latest QA sample.")
    return Graded(grade, int(decision), key, tuple(a for a in articles.split(",") if a))


async def record(store: Store, graded: Graded, reviewer_id: str, at: datetime, note: str = "") -> FeedbackEntry:
    entry = FeedbackEntry(KIND, graded.conversation_key, reviewer_id, at, reason=graded.grade,
                          edited_text=note.strip()[:NOTE_LIMIT], decision_id=graded.decision_id,
                          article_ids=graded.article_ids)
    await store.add_feedback(entry)
    return entry
