"""The Monday failure digest (MISSION §7, §12): what went wrong last week, per team, for its lead.

Each team's lead (`[digest] recipients`, else `[teams.<name>] lead`) gets: the headline metrics with their change
against the week before, the top failed questions (handed over for low confidence, no knowledge or repeated
failure, or voted "not helpful"), escalation reasons, and the articles that performed worst. `[digest] everyone`
gets the same for all teams. Sent through the `Outbox` port; composing is pure (`compose`), so it is tested as text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.errors import FrontdeskError
from bot.metrics import (
    ConversationFacts,
    Filters,
    MetricsConfig,
    Records,
    breakdown,
    compute,
    conversation_facts,
    load_records,
)
from bot.metrics_text import headline_lines, pct, plural
from bot.types import Reply
from scheduler.jobs import JobContext, mention

log = logging.getLogger(__name__)

FAILURE_REASONS = ("low_confidence", "no_knowledge", "repeated_failure")
WEEK = timedelta(days=7)
DAY = timedelta(days=1)
POOR_ARTICLES = 5


@dataclass(slots=True)
class FailedQuestion:
    text: str
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    languages: set[str] = field(default_factory=set)
    last: datetime | None = None


SAME_QUESTION = 0.6  # word-set overlap (Jaccard) at which two failed questions count as one gap


def _words(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_QUESTION


def _in_scope(facts: list[ConversationFacts], since: datetime, until: datetime, team: str | None) -> set[str]:
    return {c.key for c in facts if since <= c.first_at < until and (team is None or c.team == team)}


def failed_questions(records: Records, keys: set[str], since: datetime, until: datetime) -> list[FailedQuestion]:
    """Customer questions the AI failed on, most frequent first; rewordings of one question (mostly the same words)
    are one entry, so a knowledge gap asked five ways shows as one line with its count, not five lines."""
    by_key: dict[str, list[tuple[datetime, str, str, str]]] = {}
    asked: dict[str, str] = {}  # the conversation's first customer question, for failures with no text of their own
    decisions, _, feedback = records.by_key()
    for key, history in decisions.items():  # in order of each conversation's first decision
        if key not in keys:
            continue
        asked[key] = next((d.text for d in history if d.text), "")
        for d in history:
            if d.kind == "escalate" and d.reason in FAILURE_REASONS and since <= d.at < until:
                by_key.setdefault(key, []).append((d.at, d.text, d.reason, d.language))
        for f in feedback.get(key, []):
            if f.kind == "helpful" and f.helpful is False and since <= f.at < until:
                answered = [d for d in history if d.kind == "answer" and d.at <= f.at and d.text]
                text = answered[-1].text if answered else ""
                language = answered[-1].language if answered else ""
                by_key.setdefault(key, []).append((f.at, text, "not_helpful", language))
    grouped: list[tuple[frozenset[str], FailedQuestion]] = []
    for key, failures in by_key.items():
        for at, text, reason, language in failures:
            text = text or asked.get(key, "")
            if not text:
                continue
            words = _words(text)
            item = next((q for w, q in grouped if _similar(w, words)), None)
            if item is None:
                item = FailedQuestion(text.strip())
                grouped.append((words, item))
            item.count += 1
            item.reasons[reason] += 1
            if language:
                item.languages.add(language)
            item.last = at if item.last is None else max(item.last, at)
    return sorted((q for _, q in grouped), key=lambda q: (-q.count, -(q.last.timestamp() if q.last else 0), q.text))


def poor_articles(records: Records, keys: set[str], since: datetime, until: datetime) -> list[tuple[str, str]]:
    """(article id, one line) for the articles that did worst: unhelpful votes, escalations and rewrites after them."""
    from knowledge.audit import stats_from_records  # numpy-backed module; loaded only when a digest is composed

    decisions = [d for d in records.decisions if d.conversation_key in keys and since <= d.at < until]
    feedback = [f for f in records.feedback if f.conversation_key in keys and since <= f.at < until]
    scored = []
    for article, s in stats_from_records(decisions, feedback).items():
        bad = s.not_helpful + s.escalations_after + s.rewrites_after
        if bad == 0 or s.helpful > bad:
            continue
        line = (
            f"cited {s.cited} · {s.helpful} helpful / {s.not_helpful} not helpful · "
            f"{plural(s.escalations_after, 'escalation')} after · {plural(s.rewrites_after, 'rewrite')}"
        )
        scored.append((bad, s.cited, article, line))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(article, line) for _, _, article, line in scored[:POOR_ARTICLES]]


def compose(
    records: Records,
    until: datetime,
    *,
    team: str | None,
    config: MetricsConfig | None = None,
    top: int = 10,
    title: dict[str, str] | None = None,
) -> str:
    """The digest text for one team (None: all teams) for the week ending at `until`."""
    config = config or MetricsConfig()
    since, before = until - WEEK, until - 2 * WEEK
    filters = Filters(team=team)
    week = compute(records, since, until, config, filters)
    previous = compute(records, before, since, config, filters)
    keys = _in_scope(conversation_facts(records, config), since, until, team)
    lines = [
        f"*Frontdesk weekly digest — {team or 'all teams'}* ({since:%d %b} to {until:%d %b %Y})",
        *headline_lines(week, previous),
    ]
    failed = failed_questions(records, keys, since, until)[:top]
    lines.append("")
    lines.append(f"*Top failed questions* ({len(failed)})" if failed else "*Top failed questions:* none this week")
    for n, q in enumerate(failed, 1):
        reasons = ", ".join(f"{r} ×{c}" if c > 1 else r for r, c in q.reasons.most_common())
        languages = f" · {', '.join(sorted(q.languages))}" if q.languages else ""
        quoted = q.text if len(q.text) <= 200 else q.text[:199] + "…"
        lines.append(f"{n}. “{quoted}” — {reasons}{languages}")
    if week.escalation_reasons:
        lines.append("")
        lines.append("*Escalation reasons:* " + ", ".join(f"{r} {c}" for r, c in week.escalation_reasons.items()))
    articles = poor_articles(records, keys, since, until)
    if articles:
        lines.append("")
        lines.append("*Articles to fix*")
        names = title or {}
        for article, line in articles:
            name = names.get(article, article)
            lines.append(f"• {name}" + (f" ({article})" if name != article else "") + f": {line}")
    per_language = breakdown(records, "language", since, until, config, filters)
    if len(per_language) > 1:
        lines.append("")
        lines.append(
            "*Per language:* "
            + " · ".join(
                f"{lang or '?'} {plural(m.conversations, 'conversation')}, AI resolution {pct(m.ai_resolution_rate)}"
                for lang, m in per_language.items()
            )
        )
    return "\n".join(lines)


def recipients(ctx: JobContext) -> list[tuple[str | None, str]]:
    """(team or None for everyone, channel or user id), in a stable order."""
    targets: list[tuple[str | None, str]] = []
    for team in sorted(set(ctx.teams) | set(ctx.digest.recipients)):
        target = ctx.digest.recipients.get(team) or ctx.leads.get(team, "")
        if target:
            targets.append((team, target))
    if ctx.digest.everyone:
        targets.append((None, ctx.digest.everyone))
    return targets


NOBODY = (
    "nobody to go to: set [digest] recipients (team = channel or user id), [digest] everyone, "
    "or [teams.<name>] lead in frontdesk.toml"
)


async def _send_each(ctx: JobContext, what: str, texts: list[tuple[str | None, str, str]]) -> str:
    """Send (team, target, text) in turn; one unreachable lead does not stop the others. Fails only if none went."""
    sent, failed = [], []
    for team, target, text in texts:
        label = f"{mention(target)} ({team or 'all teams'})"
        try:
            await ctx.send(ctx.digest.platform, target, Reply(text))
        except Exception as exc:  # noqa: BLE001 - reported in the summary and the log
            log.warning("%s for %s to %s failed: %s", what, team or "all teams", target, exc)
            failed.append(f"{label}: {exc}")
            continue
        sent.append(label)
    summary = f"Sent the {what} to {', '.join(sent)}." if sent else f"The {what} was not sent."
    if failed:
        summary += " Failed: " + "; ".join(failed)
        if not sent:
            raise FrontdeskError(summary)
    return summary


async def run(ctx: JobContext) -> str:
    targets = recipients(ctx)
    if not targets:
        raise FrontdeskError("the digest has " + NOBODY)
    until = ctx.clock()
    records = await load_records(ctx.store, until - 2 * WEEK)
    titles = {a: ctx.title(a) for d in records.decisions for a in d.article_ids}
    texts = [
        (team, target, compose(records, until, team=team, config=ctx.metrics, top=ctx.digest.top, title=titles))
        for team, target in targets
    ]
    return await _send_each(ctx, "weekly digest", texts)


def compose_daily(records: Records, until: datetime, *, team: str | None, config: MetricsConfig | None = None,
                  top: int = 10) -> str:
    """The daily failure list (MISSION §12): the last 24 hours' failed questions, nothing else."""
    config = config or MetricsConfig()
    since = until - DAY
    keys = _in_scope(conversation_facts(records, config), until - WEEK, until, team)
    failed = failed_questions(records, keys, since, until)[:top]
    title = f"*Frontdesk daily failures — {team or 'all teams'}* ({since:%d %b %H:%M} to {until:%d %b %H:%M})"
    if not failed:
        return title + "\nNo failed questions in the last 24 hours."
    lines = [title]
    for n, q in enumerate(failed, 1):
        reasons = ", ".join(f"{r} ×{c}" if c > 1 else r for r, c in q.reasons.most_common())
        lines.append(f"{n}. “{q.text if len(q.text) <= 200 else q.text[:199] + '…'}” — {reasons}")
    return "\n".join(lines)


async def run_daily(ctx: JobContext) -> str:
    targets = recipients(ctx)
    if not targets:
        raise FrontdeskError("the daily failure list has " + NOBODY)
    until = ctx.clock()
    records = await load_records(ctx.store, until - WEEK)
    texts = [
        (team, target, compose_daily(records, until, team=team, config=ctx.metrics, top=ctx.digest.top))
        for team, target in targets
    ]
    return await _send_each(ctx, "daily failure list", texts)
