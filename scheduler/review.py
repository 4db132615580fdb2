"""The quarterly KB review reminder (MISSION §12): each team's stale and uncited articles, to the team's lead.

Stale is what `frontdesk kb audit` calls stale (no `updated` date, or older than `[knowledge] review_days`);
uncited means no AI answer or draft quoted the article in that same window. Articles belong to their `team`
(else the default team); a team's list goes to `[kb_review] recipients.<team>`, else `[teams.<team>] lead`;
`[kb_review] everyone` gets every team's list, including teams nobody receives for. Composing is pure (`compose`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.errors import FrontdeskError
from bot.orchestration.demotion import ANSWER_KINDS
from knowledge.audit import metadata_findings
from scheduler.context import JobContext
from scheduler.digest import send_each


@dataclass(frozen=True, slots=True)
class ToReview:
    article_id: str
    title: str
    team: str
    source: str
    why: str  # "last updated 2025-01-02 (420 days ago)" / "no 'updated' date"


@dataclass(frozen=True, slots=True)
class Review:
    stale: tuple[ToReview, ...]
    uncited: tuple[ToReview, ...] | None  # None: no answers recorded in the window, so citations say nothing


def find(
    articles: Sequence[Any], *, today: date, review_days: int, cited: set[str] | None, default_team: str
) -> Review:
    """Stale and (when `cited` is known) uncited articles, each with its team."""
    by_id = {a.id: a for a in articles}

    def item(article: Any, why: str) -> ToReview:
        return ToReview(article.id, article.title or article.id, article.team or default_team, article.source, why)

    findings = metadata_findings(articles, today=today, review_days=review_days, allowed_tags=())
    stale = tuple(item(by_id[f.articles[0]], f.message) for f in findings if f.kind == "stale")
    uncited = None
    if cited is not None:
        uncited = tuple(item(a, f"not cited in {review_days} days") for a in articles if a.id not in cited)
    return Review(stale, uncited)


def compose(review: Review, team: str | None, *, review_days: int, top: int = 30) -> str | None:
    """The reminder for one team (None: all teams), or None when that team has nothing to review."""
    stale = [r for r in review.stale if team is None or r.team == team]
    uncited = [r for r in review.uncited or () if team is None or r.team == team]
    if not stale and not uncited:
        return None
    lines = [f"*Frontdesk quarterly KB review — {team or 'all teams'}* (review window: {review_days} days)"]

    def section(title: str, items: list[ToReview]) -> None:
        lines.append("")
        lines.append(f"*{title}* ({len(items)})")
        for r in items[:top]:
            owner = f" · {r.team}" if team is None else ""
            lines.append(f"• {r.title} (`{r.article_id}`{owner}): {r.why}" + (f" — {r.source}" if r.source else ""))
        if len(items) > top:
            lines.append(f"… and {len(items) - top} more (`frontdesk kb audit` lists all)")

    if stale:
        section("Stale: check them and update their `updated` date", stale)
    if uncited:
        section("Not cited by any answer: merge, retitle or retire them", uncited)
    if review.uncited is None:
        lines.append("")
        lines.append("_No answers recorded in the window yet, so uncited articles are not listed._")
    return "\n".join(lines)


async def run(ctx: JobContext) -> str:
    articles_of = getattr(ctx.knowledge, "articles", None)
    if not callable(articles_of):
        raise FrontdeskError("the KB review needs the knowledge base, and none is attached to this server")
    now = ctx.clock()
    decisions = await ctx.store.decisions(now - timedelta(days=ctx.review_days))
    cited = {d.article_ids[0] for d in decisions if d.kind in ANSWER_KINDS and d.article_ids} if decisions else None
    articles = list(articles_of())
    review = find(articles, today=now.date(), review_days=ctx.review_days, cited=cited, default_team=ctx.default_team)
    config = ctx.kb_review
    teams = sorted({r.team for r in (*review.stale, *(review.uncited or ()))})
    texts: list[tuple[str | None, str, str]] = []
    nobody: list[str] = []
    for team in teams:
        target = config.recipients.get(team) or ctx.leads.get(team, "")
        text = compose(review, team, review_days=ctx.review_days, top=config.top)
        if text is None:
            continue
        if target:
            texts.append((team, target, text))
        else:
            nobody.append(team)
    if config.everyone:
        everything = compose(review, None, review_days=ctx.review_days, top=config.top)
        if everything is not None:
            texts.append((None, config.everyone, everything))
    counts = f"{len(review.stale)} stale, " + (
        f"{len(review.uncited)} uncited" if review.uncited is not None else "citations unknown"
    )
    if not texts:
        if not teams:
            return f"Nothing to review: {len(articles)} articles, none stale or uncited."
        raise FrontdeskError(
            f"the KB review ({counts}) has nobody to go to for {', '.join(nobody)}: set [kb_review] recipients "
            "(team = channel or user id), [kb_review] everyone, or [teams.<name>] lead in frontdesk.toml"
        )
    summary = await send_each(ctx, "KB review", texts, platform=config.platform)
    summary += f" ({counts} of {len(articles)} articles.)"
    if nobody and not config.everyone:
        summary += f" Nobody receives it for: {', '.join(nobody)}."
    return summary

