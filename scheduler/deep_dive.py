"""The monthly deep-dive (seed rule 12): last month's metrics beside the previous three, by team and by language,
the top failure patterns, QA grades and the knowledge base's changes, to `[digest] everyone` on the 1st.

Composing is pure (`compose`) and reuses the metrics, failures and grades code of the weekly digest, so the numbers
agree with `frontdesk report --until` for the same month.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.core.errors import FrontdeskError
from bot.core.reasons import short_reason
from bot.metrics.compute import Metrics, MetricsConfig, Records, breakdown, compute, conversation_facts, load_records
from bot.metrics.failures import ANSWER_FAILURE_REASONS, failed_questions, in_scope, knowledge_gaps
from bot.metrics.text import money, pct, plural
from scheduler.context import JobContext
from scheduler.digest import send_each
from scheduler.grade_text import grade_lines, month_start, previous_month

MONTHS = 4  # the month and the three before it
TOP = 5

ROWS: tuple[tuple[str, Callable[[Metrics], str]], ...] = (
    ("Conversations", lambda m: str(m.conversations)),
    ("AI resolution", lambda m: pct(m.ai_resolution_rate)),
    ("Deflection", lambda m: pct(m.deflection_rate)),
    ("Escalation", lambda m: pct(m.escalation_rate)),
    ("CSAT AI", lambda m: pct(m.csat_ai)),
    ("CSAT human", lambda m: pct(m.csat_human)),
    ("Human override", lambda m: pct(m.override_rate)),
    ("Cost per resolution", lambda m: money(m.cost_per_resolution)),
)


def months(until: datetime, count: int = MONTHS) -> list[tuple[datetime, datetime]]:
    """The `count` calendar months ending at the month before `until`'s, oldest first."""
    end = month_start(until)
    spans = []
    for _ in range(count):
        start = previous_month(end)
        spans.append((start, end))
        end = start
    return list(reversed(spans))


def _slice_lines(name: str, parts: dict[str, Metrics]) -> list[str]:
    if not parts:
        return []
    lines = ["", f"*By {name}*"]
    for value, m in parts.items():
        lines.append(f"• {value or '(none)'}: {plural(m.conversations, 'conversation')}, AI resolution "
                     f"{pct(m.ai_resolution_rate)}, deflection {pct(m.deflection_rate)}, CSAT AI {pct(m.csat_ai)}, "
                     f"CSAT human {pct(m.csat_human)}")
    return lines


def compose(records: Records, until: datetime, *, config: MetricsConfig | None = None,
            title: Callable[[str], str] = str, kb_changes: Sequence[tuple[str, date]] = ()) -> str:
    config = config or MetricsConfig()
    spans = months(until)
    since, end = spans[-1]
    by_month = [compute(records, a, b, config) for a, b in spans]
    lines = [f"*Frontdesk monthly deep-dive — {since:%B %Y}* (beside the three months before)",
             "Metric: " + " · ".join(f"{a:%b}" for a, _ in spans)]
    for label, show in ROWS:
        values = [show(m) for m in by_month]
        lines.append(f"{label}: " + " · ".join(values[:-1] + [f"*{values[-1]}*"]))
    lines += _slice_lines("team", breakdown(records, "team", since, end, config))
    lines += _slice_lines("language", breakdown(records, "language", since, end, config))
    month = by_month[-1]
    keys = in_scope(conversation_facts(records, config), since, end, None)
    lines += ["", "*Top failure patterns*"]
    if month.escalation_reasons:
        lines.append("Escalation reasons: " + ", ".join(f"{short_reason(r)} {n}" for r, n in month.escalation_reasons.items()))
    for q in failed_questions(records, keys, since, end, reasons=ANSWER_FAILURE_REASONS)[:TOP]:
        lines.append(f"• “{q.text[:200]}” ×{q.count} — " + ", ".join(q.reasons))
    gaps = knowledge_gaps(records, keys, since, end)[:TOP]
    if gaps:
        lines.append("Knowledge gaps: " + "; ".join(f"“{g.text[:120]}” ×{g.count}" for g in gaps))
    if len(lines) and lines[-1] == "*Top failure patterns*":
        lines.append("None this month.")
    lines += grade_lines(records.feedback, since, end, title=title)
    changed = sorted((d, a) for a, d in kb_changes if since.date() <= d < end.date())
    lines += ["", f"*Knowledge base changes:* {plural(len(changed), 'article')} updated in {since:%B}"]
    lines += [f"• {title(a)} ({a}), {d:%d %b}" for d, a in changed[:20]]
    return "\n".join(lines)


def kb_changes(ctx: JobContext) -> list[tuple[str, date]]:
    articles = getattr(ctx.knowledge, "articles", None)
    if not callable(articles):
        return []
    return [(str(a.id), a.updated) for a in articles() if getattr(a, "updated", None) is not None]


async def run(ctx: JobContext) -> str:
    if not ctx.digest.everyone:
        raise FrontdeskError("the monthly deep-dive goes to [digest] everyone (e.g. the support leads' channel); set it")
    until = ctx.clock()
    first = months(until)[0][0]
    records = await load_records(ctx.store, first)
    text = compose(records, until, config=ctx.metrics, title=ctx.title, kb_changes=kb_changes(ctx))
    return await send_each(ctx, "monthly deep-dive", [(None, ctx.digest.everyone, text)])
