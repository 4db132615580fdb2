"""QA grades as digest lines (`bot.metrics.grades`): shared by the weekly digest, the deep-dive and the audit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.core.ports import FeedbackEntry
from bot.metrics.grades import summary, worst_articles
from bot.metrics.text import pct, plural


def grade_lines(feedback: Sequence[FeedbackEntry], since: datetime, until: datetime, *,
                title: Callable[[str], str] = str, keys: set[str] | None = None) -> list[str]:
    """The period's QA grades beside the period before (the trend), and the worst-graded articles."""
    own = [f for f in feedback if keys is None or f.conversation_key in keys]
    now = summary(own, since, until)
    before = summary(own, since - (until - since), since)
    if not now.graded and not before.graded:
        return []
    c = now.counts
    lines = ["", f"*QA grades:* {plural(now.graded, 'answer')} graded — {c.get('good', 0)} good, "
             f"{c.get('needs_work', 0)} need work, {c.get('wrong', 0)} wrong; good {pct(now.good_rate)} "
             f"(previous period {pct(before.good_rate)} of {before.graded})"]
    for a in worst_articles(own, since, until):
        name = title(a.article_id)
        label = f"{name} ({a.article_id})" if name != a.article_id else a.article_id
        note = f" — “{a.notes[-1][:160]}”" if a.notes else ""
        lines.append(f"• {label}: {a.wrong} wrong, {a.needs_work} need work, {a.good} good{note}")
    return lines


def month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def previous_month(start: datetime) -> datetime:
    """The first instant of the month before the one starting at `start`."""
    return month_start(start - timedelta(days=1))
