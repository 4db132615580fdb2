"""The Monday failure digest (MISSION §7, §12): what went wrong last week, per team, for its lead.

Each team's lead (`[digest] recipients`, else `[teams.<name>] lead`) gets: the headline metrics with their change
against the week before, the top failed questions (handed over for low confidence, no knowledge or repeated
failure, or voted "not helpful"), escalation reasons, and the articles that performed worst. `[digest] everyone`
gets the same for all teams. Sent through the `Outbox` port; composing is pure (`compose`), so it is tested as text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.demotion import Demotion
from bot.core.errors import FrontdeskError
from bot.core.reasons import short_reason
from bot.core.types import Platform, Reply
from bot.metrics.compute import (
    Filters,
    MetricsConfig,
    Records,
    breakdown,
    compute,
    conversation_facts,
    load_records,
)
from bot.metrics.failures import failed_questions, in_scope, poor_articles
from bot.metrics.languages import without_articles, without_articles_line
from bot.metrics.text import headline_lines, pct, plural
from bot.orchestration.demotion import compute as demoted_articles
from scheduler.context import JobContext, mention
from scheduler.grade_text import grade_lines

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


def poor_article_lines(records: Records, keys: set[str], since: datetime, until: datetime) -> list[tuple[str, str]]:
    """(article id, one line) for the articles that did worst (`bot.metrics.failures.poor_articles`)."""
    return [
        (
            p.article_id,
            f"cited {p.cited} · {p.helpful} helpful / {p.not_helpful} not helpful · "
            f"{plural(p.escalations_after, 'escalation')} after · {plural(p.rewrites_after, 'rewrite')}",
        )
        for p in poor_articles(records, keys, since, until)
    ]


def compose(
    records: Records,
    until: datetime,
    *,
    team: str | None,
    config: MetricsConfig | None = None,
    top: int = 10,
    title: dict[str, str] | None = None,
    demoted: Sequence[Demotion] = (),
) -> str:
    """The digest text for one team (None: all teams) for the week ending at `until`."""
    config = config or MetricsConfig()
    since, before = until - WEEK, until - 2 * WEEK
    filters = Filters(team=team)
    week = compute(records, since, until, config, filters)
    previous = compute(records, before, since, config, filters)
    keys = in_scope(conversation_facts(records, config), since, until, team)
    lines = [
        f"*Frontdesk weekly digest — {team or 'all teams'}* ({since:%d %b} to {until:%d %b %Y})",
        *headline_lines(week, previous),
    ]
    failed = failed_questions(records, keys, since, until)[:top]
    lines.append("")
    lines.append(f"*Top failed questions* ({len(failed)})" if failed else "*Top failed questions:* none this week")
    for n, q in enumerate(failed, 1):
        reasons = ", ".join(f"{short_reason(r)} ×{c}" if c > 1 else short_reason(r) for r, c in q.reasons.most_common())
        languages = f" · {', '.join(sorted(q.languages))}" if q.languages else ""
        quoted = q.text if len(q.text) <= 200 else q.text[:199] + "…"
        lines.append(f"{n}. “{quoted}” — {reasons}{languages}")
    if week.escalation_reasons:
        lines.append("")
        lines.append("*Escalation reasons:* " + ", ".join(f"{short_reason(r)} {c}" for r, c in week.escalation_reasons.items()))
    articles = poor_article_lines(records, keys, since, until)
    if articles:
        lines.append("")
        lines.append("*Articles to fix*")
        names = title or {}
        for article, line in articles:
            name = names.get(article, article)
            lines.append(f"• {name}" + (f" ({article})" if name != article else "") + f": {line}")
    lines += demoted_lines(demoted, team, title or {})
    names = title or {}
    team_keys = None if team is None else {c.key for c in conversation_facts(records, config) if c.team == team}
    lines += grade_lines(records.feedback, since, until, title=lambda a: names.get(a, a), keys=team_keys)
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
    uncovered = without_articles_line(without_articles(records, since, until, config, filters))
    if uncovered:
        lines.append(f"*{uncovered.replace(': ', ':* ', 1)}")
    return "\n".join(lines)


def demoted_lines(demoted: Sequence[Demotion], team: str | None, names: dict[str, str]) -> list[str]:
    """The team's demoted articles (all of them for the all-teams digest; those without a team go to everyone)."""
    mine = [d for d in demoted if team is None or not d.team or d.team == team]
    if not mine:
        return []
    lines = ["", f"*Demoted by feedback* ({len(mine)}; answers citing them go to a person — `/frontdesk promote <id>` undoes)"]
    for d in mine:
        name = names.get(d.article_id, d.article_id)
        label = f"{name} ({d.article_id})" if name != d.article_id else d.article_id
        lines.append(f"• {label}: {d.votes}")
    return lines


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


async def send_each(
    ctx: JobContext, what: str, texts: list[tuple[str | None, str, str]], *, platform: Platform | None = None
) -> str:
    """Send (team, target, text) in turn; one unreachable lead does not stop the others. Fails only if none went."""
    sent, failed = [], []
    for team, target, text in texts:
        label = f"{mention(target)} ({team or 'all teams'})"
        try:
            await ctx.send(platform or ctx.digest.platform, target, Reply(text))
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
    demoted = await demoted_articles(ctx.store, ctx.demotion, until)
    texts = [
        (
            team,
            target,
            compose(
                records, until, team=team, config=ctx.metrics, top=ctx.digest.top, title=titles, demoted=demoted
            ),
        )
        for team, target in targets
    ]
    return await send_each(ctx, "weekly digest", texts)


def compose_daily(records: Records, until: datetime, *, team: str | None, config: MetricsConfig | None = None,
                  top: int = 10) -> str:
    """The daily failure list (MISSION §12): the last 24 hours' failed questions, nothing else."""
    config = config or MetricsConfig()
    since = until - DAY
    keys = in_scope(conversation_facts(records, config), until - WEEK, until, team)
    failed = failed_questions(records, keys, since, until)[:top]
    title = f"*Frontdesk daily failures — {team or 'all teams'}* ({since:%d %b %H:%M} to {until:%d %b %H:%M})"
    if not failed:
        return title + "\nNo failed questions in the last 24 hours."
    lines = [title]
    for n, q in enumerate(failed, 1):
        reasons = ", ".join(f"{short_reason(r)} ×{c}" if c > 1 else short_reason(r) for r, c in q.reasons.most_common())
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
    return await send_each(ctx, "daily failure list", texts)
