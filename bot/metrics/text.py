"""Metrics as plain lines (markdown-lite): the headline block shared by `frontdesk report` and the Monday digest."""

from __future__ import annotations

from bot.metrics.compute import Metrics


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    points = (now - before) * 100
    return f" ({points:+.0f} pts)" if round(points) else " (=)"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def money(value: float | None) -> str:
    """Dollars as people read them: $0.10, $1,234.50; a cost under a cent says so rather than $0.00."""
    if value is None:
        return "—"
    if 0 < value < 0.005:
        return "under $0.01"
    return f"${value:,.2f}"


def minutes(value: float) -> str:
    """Agent time as people read it: 1 min, 1 h 5 min; a little under a minute says so rather than 0 min."""
    if value <= 0:
        return "0 min"
    if value < 0.5:
        return "under 1 min"
    whole = round(value)
    return f"{whole} min" if whole < 60 else f"{whole // 60} h" + (f" {whole % 60} min" if whole % 60 else "")


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}/5"


def headline_lines(m: Metrics, previous: Metrics | None = None) -> list[str]:
    """The headline numbers, with the change in points against `previous` (the period before) when given."""
    p = previous

    def d(attr: str) -> str:
        return delta(getattr(m, attr), getattr(p, attr)) if p is not None else ""

    lines = [
        f"Conversations: {m.conversations}" + (f" (previous: {p.conversations})" if p is not None else ""),
        f"AI resolution rate: {pct(m.ai_resolution_rate)}{d('ai_resolution_rate')}  ({m.ai_resolved} resolved by the AI)",
        f"Deflection rate: {pct(m.deflection_rate)}{d('deflection_rate')}  ({m.deflected} resolved without a "
        "person and not left on a negative signal)",
        f"Escalation rate: {pct(m.escalation_rate)}{d('escalation_rate')}",
        f"CSAT (1-5, share of 4-5), AI: {pct(m.csat_ai)} of {plural(m.csat_ai_n, 'rating')} (mean "
        f"{score(m.csat_ai_mean)}) · human: {pct(m.csat_human)} of {plural(m.csat_human_n, 'rating')} (mean "
        f"{score(m.csat_human_mean)})",
        f"Human override rate: {pct(m.override_rate)}{d('override_rate')}  "
        f"({m.overrides} of {plural(m.override_verdicts, 'agent verdict')}; {m.rejections} rejected)",
        f"Cost per resolution: {money(m.cost_per_resolution)} overall · AI {money(m.cost_per_ai_resolution)} · "
        f"human {money(m.cost_per_human_resolution)}  (LLM {money(m.llm_cost)}, "
        f"{m.input_tokens + m.output_tokens:,} tokens; agents {minutes(m.agent_minutes)} = {money(m.agent_cost)})",
    ]
    if m.csat_alert:
        lines.append(f"ALERT: AI CSAT is {m.csat_gap:.0f} points below human CSAT")
    return lines
