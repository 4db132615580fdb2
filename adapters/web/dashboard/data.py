"""What the leads' dashboard shows, as one JSON-able dict computed from stored records (pure; no I/O).

Every number comes from `bot.metrics.compute` (headline, weeks, per language and team) and `bot.metrics.failures` (failed
questions, knowledge gaps, poor articles), the same code as `frontdesk report` and the Monday digest, so the three
never disagree. The HTML page (`page.py`) renders this dict and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.demotion import Demotion
from bot.metrics.compute import Filters, MetricsConfig, Records, breakdown, compute, weekly
from bot.metrics.failures import (
    ANSWER_FAILURE_REASONS,
    Clusterer,
    FailedQuestion,
    failed_questions,
    knowledge_gaps,
    poor_articles,
)
from bot.metrics.grades import trend as grade_trend
from bot.metrics.grades import worst_articles
from bot.metrics.languages import without_articles

PARAMS = ("days", "team", "language", "channel")
MAX_DAYS = 366
MIN_TREND_WEEKS = 8  # a trend needs a few points even when the period is one week
MAX_TREND_WEEKS = 53
TOP = 10
QA_WEEKS = 4  # the grade trend: the last four weeks of grades
LANGUAGE = re.compile(r"[a-z]{2}")


class BadQuery(ValueError):
    """A query parameter the dashboard cannot use; the message names it and says what is accepted."""


@dataclass(frozen=True, slots=True)
class Query:
    days: int = 7
    team: str | None = None
    language: str | None = None
    channel: str | None = None

    @property
    def filters(self) -> Filters:
        return Filters(team=self.team, channel=self.channel, language=self.language)

    @property
    def trend_weeks(self) -> int:
        return min(MAX_TREND_WEEKS, max(MIN_TREND_WEEKS, -(-self.days // 7)))

    def lookback(self) -> timedelta:
        """How far before `until` the records must reach: the period before this one, or the whole trend."""
        return max(timedelta(days=2 * self.days), timedelta(weeks=self.trend_weeks))


def _name(params: Mapping[str, str], key: str) -> str | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    if len(value) > 100 or not value.isprintable():
        raise BadQuery(f"{key} must be a {key} name of at most 100 printable characters")
    return value


def parse_query(params: Mapping[str, str]) -> Query:
    """The query string, checked: unknown parameters, a bad number of days or language code are errors."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise BadQuery(f"unknown parameter {unknown[0]!r}; the dashboard takes {', '.join(PARAMS)}")
    raw_days = params.get("days", "").strip() or "7"
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_DAYS:
        raise BadQuery(f"days must be a whole number from 1 to {MAX_DAYS}, got {raw_days[:20]!r}")
    language = _name(params, "language")
    if language is not None:
        language = language.lower()
        if not LANGUAGE.fullmatch(language):
            raise BadQuery(f"language must be a two-letter code such as en or de, got {language[:20]!r}")
    return Query(int(raw_days), _name(params, "team"), language, _name(params, "channel"))


def _question(q: FailedQuestion) -> dict[str, Any]:
    return {
        "question": q.text,
        "count": q.count,
        "reasons": dict(q.reasons.most_common()),
        "languages": sorted(q.languages),
        "examples": list(q.examples),
        "last": q.last.isoformat() if q.last else None,
    }


def build(
    records: Records,
    until: datetime,
    query: Query,
    config: MetricsConfig | None = None,
    *,
    teams: Sequence[str] = (),
    title: Callable[[str], str] = str,
    cluster: Clusterer | None = None,
    clustering: str = "word overlap",
    demoted: Sequence[Demotion] = (),
) -> dict[str, Any]:
    """The dashboard for the `query.days` days ending at `until`, with the period before it and the weekly trend."""
    config = config or MetricsConfig()
    filters = query.filters
    since = until - timedelta(days=query.days)
    before = since - timedelta(days=query.days)
    current = compute(records, since, until, config, filters)
    previous = compute(records, before, since, config, filters)
    facts = records.facts(config)
    keys = {c.key for c in facts if since <= c.first_at < until and filters.admits(c)}
    known_teams = sorted(set(teams) | {c.team for c in facts if c.team})
    return {
        "period": {"since": since.isoformat(), "until": until.isoformat(), "days": query.days},
        "filters": {"team": query.team, "language": query.language, "channel": query.channel},
        "current": current.to_json(),
        "previous": previous.to_json(),
        "weeks": [w.to_json() for w in weekly(records, until, query.trend_weeks, config, filters)],
        "by_language": {k: v.to_json() for k, v in breakdown(records, "language", since, until, config, filters).items()},
        "by_team": {k: v.to_json() for k, v in breakdown(records, "team", since, until, config, filters).items()},
        "languages_without_articles": without_articles(records, since, until, config, filters),
        "failed_questions": [
            _question(q) for q in failed_questions(records, keys, since, until, reasons=ANSWER_FAILURE_REASONS)[:TOP]
        ],
        "knowledge_gaps": [_question(q) for q in knowledge_gaps(records, keys, since, until, cluster=cluster)[:TOP]],
        "gap_grouping": clustering,
        "poor_articles": [
            {
                "article_id": p.article_id,
                "title": title(p.article_id),
                "cited": p.cited,
                "helpful": p.helpful,
                "not_helpful": p.not_helpful,
                "escalations_after": p.escalations_after,
                "rewrites_after": p.rewrites_after,
            }
            for p in poor_articles(records, keys, since, until)
        ],
        "demoted": [
            {
                "article_id": d.article_id,
                "title": title(d.article_id),
                "helpful": d.helpful,
                "rated": d.rated,
                "window_days": d.window_days,
                "team": d.team,
            }
            for d in demoted
            if query.team is None or not d.team or d.team == query.team
        ],
        "qa": {
            "weeks": [w.to_json() for w in grade_trend(records.feedback, until, QA_WEEKS)],
            "worst_articles": [
                {"article_id": a.article_id, "title": title(a.article_id), "good": a.good,
                 "needs_work": a.needs_work, "wrong": a.wrong, "notes": list(a.notes[-3:])}
                for a in worst_articles(records.feedback, since, until)
            ],
        },
        "choices": {
            "teams": known_teams,
            "languages": sorted({c.language for c in facts if c.language}),
        },
    }
