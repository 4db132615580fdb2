"""The annual audit (seed rule 12): the year's trends month by month, QA grades, the articles no answer cited all
year, and the sensitive-topic policies that never fired, to `[digest] everyone` on 2 January.

"Never cited" and "never triggered" are the questions an audit asks of a configuration that grew over a year: an
article nobody needed, or a sensitive category whose words no customer used, is a candidate to rewrite or remove.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core.errors import FrontdeskError
from bot.core.reasons import short_reason
from bot.metrics.compute import MetricsConfig, Records, compute, load_records
from bot.metrics.text import money, pct, plural
from scheduler.context import JobContext
from scheduler.deep_dive import months
from scheduler.digest import send_each
from scheduler.grade_text import grade_lines

ANSWER_KINDS = ("answer", "draft")
LISTED = 30


def compose(records: Records, until: datetime, *, config: MetricsConfig | None = None,
            title: Callable[[str], str] = str, articles: Sequence[str] | None = None,
            sensitive: Sequence[str] = ()) -> str:
    config = config or MetricsConfig()
    spans = months(until, 12)
    since, end = spans[0][0], spans[-1][1]
    lines = [f"*Frontdesk annual audit — {since:%b %Y} to {spans[-1][0]:%b %Y}*", "*The year month by month*"]
    for a, b in spans:
        m = compute(records, a, b, config)
        lines.append(f"• {a:%b %Y}: {plural(m.conversations, 'conversation')}, AI resolution {pct(m.ai_resolution_rate)}, "
                     f"deflection {pct(m.deflection_rate)}, CSAT AI {pct(m.csat_ai)} / human {pct(m.csat_human)}, "
                     f"cost per resolution {money(m.cost_per_resolution)}")
    year = compute(records, since, end, config)
    lines.append(f"Whole year: {plural(year.conversations, 'conversation')}, AI resolution "
                 f"{pct(year.ai_resolution_rate)}, deflection {pct(year.deflection_rate)}")
    lines += grade_lines(records.feedback, since, end, title=title)
    in_year = [d for d in records.decisions if since <= d.at < end]
    cited = {d.article_ids[0] for d in in_year if d.kind in ANSWER_KINDS and d.article_ids}
    if articles is None:
        lines += ["", "*Articles never cited:* unknown (no knowledge base attached to this server)"]
    else:
        never = sorted(set(articles) - cited)
        lines += ["", f"*Articles never cited this year:* {len(never)} of {len(articles)}"]
        lines += [f"• {title(a)} ({a})" if title(a) != a else f"• {a}" for a in never[:LISTED]]
        if len(never) > LISTED:
            lines.append(f"… and {len(never) - LISTED} more (`frontdesk kb audit` lists them all)")
    reasons = Counter(d.reason for d in in_year if d.kind == "escalate")
    fired = {r.partition(":")[2] for r in reasons if r.startswith("sensitive:")}
    quiet = sorted(set(sensitive) - fired)
    lines += ["", f"*Sensitive-topic policies never triggered:* {', '.join(quiet) if quiet else 'none — every one fired'}"]
    if reasons:
        lines.append("Handoff reasons this year: " + ", ".join(f"{short_reason(r)} {n}" for r, n in reasons.most_common()))
    return "\n".join(lines)


async def run(ctx: JobContext) -> str:
    if not ctx.digest.everyone:
        raise FrontdeskError("the annual audit goes to [digest] everyone (e.g. the support leads' channel); set it")
    until = ctx.clock()
    records = await load_records(ctx.store, months(until, 12)[0][0])
    listed = getattr(ctx.knowledge, "articles", None)
    articles = [str(a.id) for a in listed()] if callable(listed) else None
    text = compose(records, until, config=ctx.metrics, title=ctx.title, articles=articles,
                   sensitive=ctx.sensitive_categories)
    return await send_each(ctx, "annual audit", [(None, ctx.digest.everyone, text)])
