"""`frontdesk report`: the support metrics of a period from the store, readable or as JSON.

Mounted by `bot.cli.main`; the definitions are `bot.metrics.compute`'s (printed by `--help`). The previous period of the same
length is shown next to the headline rates so a number is never read without its trend.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from bot.cli.output import print_error
from bot.core.errors import FrontdeskError
from bot.core.reasons import short_reason
from bot.metrics.collab import collaboration
from bot.metrics.compute import Filters, Metrics, MetricsConfig, breakdown, compute, load_records, weekly
from bot.metrics.languages import without_articles, without_articles_line
from bot.metrics.text import headline_lines, pct, plural
from bot.settings import Settings


def render(m: Metrics, previous: Metrics, parts: dict[str, dict[str, Metrics]], title: str,
           weeks: list[Metrics] | None = None) -> str:
    lines = [title, *headline_lines(m, previous)]
    if weeks:
        lines.append("By week:")
        for week in weeks:
            lines.append(
                f"  to {week.until:%Y-%m-%d}: {plural(week.conversations, 'conversation')}, AI resolution "
                f"{pct(week.ai_resolution_rate)}, deflection {pct(week.deflection_rate)}, CSAT AI {pct(week.csat_ai)}"
            )
    if m.escalation_reasons:
        lines.append("Escalation reasons: " + ", ".join(f"{short_reason(r)} {n}" for r, n in m.escalation_reasons.items()))
    if m.customer_reasons:
        lines.append("Customers' own reasons: " + ", ".join(f"{r} {n}" for r, n in m.customer_reasons.items()))
    for dimension, values in parts.items():
        if len(values) < 2:
            continue
        lines.append(f"By {dimension}:")
        for value, sub in values.items():
            lines.append(
                f"  {value or '(none)'}: {plural(sub.conversations, 'conversation')}, AI resolution {pct(sub.ai_resolution_rate)}, "
                f"deflection {pct(sub.deflection_rate)}, CSAT AI {pct(sub.csat_ai)}"
            )
    return "\n".join(lines)


def _until(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise FrontdeskError(f"--until {value!r} is not a date; use YYYY-MM-DD or an ISO timestamp") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


async def _report(days: int, until: datetime, filters: Filters) -> dict[str, Any]:
    from bot.bootstrap import open_store

    settings = Settings()
    config = settings.load_config()
    metrics: MetricsConfig = config.metrics
    store = await open_store(settings, config)
    try:
        since = until - timedelta(days=days)
        previous_since = since - timedelta(days=days)
        records = await load_records(store, previous_since)
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            await close()
    current = compute(records, since, until, metrics, filters)
    previous = compute(records, previous_since, since, metrics, filters)
    parts = {dim: breakdown(records, dim, since, until, metrics, filters) for dim in ("team", "language", "channel")}
    # MISSION §3: metrics by week. Whole weeks ending at `until`, oldest first, when the period holds two or more.
    weeks = weekly(records, until, days // 7, metrics, filters)
    picks = collaboration(records.feedback, since, until)
    uncovered = without_articles(records, since, until, metrics, filters)
    return {
        "current": current,
        "previous": previous,
        "parts": parts,
        "weeks": weeks if len(weeks) > 1 else [],
        "collaboration": picks,
        "uncovered": uncovered,
    }


async def _campaign(name: str, days: int) -> Any:
    from bot.bootstrap import open_store
    from scheduler.campaigns import effect

    settings = Settings()
    config = settings.load_config()
    if name not in config.campaigns:
        known = ", ".join(sorted(config.campaigns)) or "none configured"
        raise FrontdeskError(f"no campaign {name!r} in [campaigns] (campaigns: {known})")
    store = await open_store(settings, config)
    try:
        return await effect(store, name, days)
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            await close()


def campaign_lines(e: Any) -> list[str]:
    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [
        f"Campaign {e.name}: sent to {plural(e.sent_channels, 'channel')}, held out {e.holdout_channels} "
        f"(tickets and conversations in the {e.window_days} days after each)",
        f"Tickets per channel: {rate(e.sent_tickets_per_channel)} sent vs {rate(e.holdout_tickets_per_channel)} held out",
        f"Conversations: {e.sent_conversations} in channels that got it, {e.holdout_conversations} in the holdout",
    ]
    if e.holdout_channels == 0:
        lines.append("No holdout group: set holdout (e.g. 0.1) on the campaign to measure its effect")
    else:
        c = e.comparison()
        if e.ticket_reduction is not None and not c.too_small:
            lines.append(f"Ticket reduction against the holdout: {e.ticket_reduction:.0%}")
        if c.difference is not None and c.low is not None and c.high is not None:
            lines.append(f"Difference in tickets per channel (sent − holdout): {c.difference:+.2f}, 95% interval "
                         f"{c.low:+.2f} to {c.high:+.2f}, permutation test p = {c.p_value:.3f}")
        lines.append(c.verdict())
    opt_out = "—" if e.opt_out_rate is None else f"{e.opt_out_rate:.0%}"
    lines.append(f"Opt-out rate: {opt_out} ({e.opted_out} of {plural(e.sent_channels, 'channel')} that got it pressed "
                 "\"Stop these updates\")")
    return lines


def report_command(
    days: Annotated[int, typer.Option(min=1, max=366, help="Length of the period in days, ending now (or --until).")] = 7,
    team: Annotated[str | None, typer.Option(help="Only conversations that ended with this team.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel id.")] = None,
    language: Annotated[str | None, typer.Option(help="Only conversations in this language (e.g. de).")] = None,
    until: Annotated[str | None, typer.Option(help="End of the period (YYYY-MM-DD or ISO time, UTC); default now.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Instead: a campaign's tickets vs its holdout, in the --days "
                                                 "after it was sent.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Support metrics of a period: AI resolution, deflection, CSAT on one 1-5 scale (AI vs human), overrides,
    escalation reasons and cost per resolution (AI, human, overall), with the previous period for comparison.

    Every definition is on one page: docs/METRICS.md (also served by a running server at /dashboard/metrics)."""
    if campaign is not None:
        try:
            measured = asyncio.run(_campaign(campaign, days))
        except FrontdeskError as exc:
            print_error(str(exc))
            raise typer.Exit(2) from None
        typer.echo(json.dumps(measured.to_json(), indent=2) if as_json else "\n".join(campaign_lines(measured)))
        return
    filters = Filters(team=team, channel=channel, language=language)
    try:
        end = _until(until)
        result = asyncio.run(_report(days, end, filters))
    except FrontdeskError as exc:
        print_error(str(exc))
        raise typer.Exit(2) from None
    current, previous, parts = result["current"], result["previous"], result["parts"]
    if as_json:
        payload = {
            "filters": {"team": team, "channel": channel, "language": language},
            "current": current.to_json(),
            "previous": previous.to_json(),
            "by": {dim: {k: v.to_json() for k, v in values.items()} for dim, values in parts.items()},
            "weeks": [week.to_json() for week in result["weeks"]],
            "collaboration": result["collaboration"].to_json(),
            "languages_without_articles": result["uncovered"],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    scope = ", ".join(f"{k} {v}" for k, v in (("team", team), ("channel", channel), ("language", language)) if v)
    title = f"Frontdesk metrics, {current.since:%Y-%m-%d %H:%M} to {current.until:%Y-%m-%d %H:%M} UTC" + (
        f" ({scope})" if scope else ""
    )
    if current.conversations == 0:
        typer.echo(title + "\nNo conversations in this period" + (" for this filter." if scope else "."))
        return
    uncovered = without_articles_line(result["uncovered"])
    lines = [render(current, previous, parts, title, result["weeks"]), *result["collaboration"].lines()]
    typer.echo("\n".join([*lines, uncovered] if uncovered else lines))
