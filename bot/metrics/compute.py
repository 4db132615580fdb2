"""Support metrics (MISSION §3) computed from stored decisions, tickets and feedback: pure functions, no I/O.

The unit is the *conversation* (a thread), not the message: "AI resolution" is a property of what happened to a
customer's question, and counting messages would reward chatty threads (a vanity count). The definitions are
published in docs/METRICS.md (linked from the dashboard and `frontdesk report --help`); each figure there has a
test that builds a small history by hand and checks the number (tests/unit/bot/test_metric_definitions.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import HandoffStatus, Ticket
from bot.metrics.records import ConversationFacts, MetricsConfig, Records, conversation_facts

__all__ = [
    "ConversationFacts",
    "Filters",
    "Metrics",
    "MetricsConfig",
    "Records",
    "breakdown",
    "compute",
    "conversation_facts",
    "load_records",
    "weekly",
]


@dataclass(frozen=True, slots=True)
class Filters:
    team: str | None = None
    channel: str | None = None
    language: str | None = None

    def admits(self, c: ConversationFacts) -> bool:
        return (
            (self.team is None or c.team == self.team)
            and (self.channel is None or c.channel == self.channel)
            and (self.language is None or c.language == self.language)
        )


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as a dash, never as 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class Metrics:
    """The headline numbers for one period and slice. Rates are None when there is nothing to divide by."""

    since: datetime
    until: datetime
    conversations: int = 0
    ai_resolved: int = 0
    deflected: int = 0
    escalated: int = 0
    human_resolved: int = 0
    csat_ai: float | None = None  # share of 1-5 ratings that were 4 or 5
    csat_ai_n: int = 0
    csat_human: float | None = None
    csat_human_n: int = 0
    csat_ai_mean: float | None = None  # mean 1-5 rating
    csat_human_mean: float | None = None
    overrides: int = 0
    override_verdicts: int = 0
    rejections: int = 0
    escalation_reasons: dict[str, int] = field(default_factory=dict)
    customer_reasons: dict[str, int] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    llm_cost: float = 0.0
    ai_llm_cost: float = 0.0  # LLM cost of the conversations no person touched
    agent_minutes: float = 0.0
    agent_cost: float = 0.0
    csat_alert_points: float = 5.0

    @property
    def ai_resolution_rate(self) -> float | None:
        return ratio(self.ai_resolved, self.conversations)

    @property
    def deflection_rate(self) -> float | None:
        return ratio(self.deflected, self.conversations)

    @property
    def escalation_rate(self) -> float | None:
        return ratio(self.escalated, self.conversations)

    @property
    def override_rate(self) -> float | None:
        return ratio(self.overrides, self.override_verdicts)

    @property
    def resolutions(self) -> int:
        return self.ai_resolved + self.human_resolved

    @property
    def cost_per_resolution(self) -> float | None:
        return (self.llm_cost + self.agent_cost) / self.resolutions if self.resolutions else None

    @property
    def cost_per_ai_resolution(self) -> float | None:
        """What the AI-only conversations cost (their LLM tokens, failures included) per AI resolution."""
        return ratio(self.ai_llm_cost, self.ai_resolved)

    @property
    def cost_per_human_resolution(self) -> float | None:
        """What the conversations a person handled cost (agent time plus the AI's tokens spent on them) per human
        resolution. AI cost + human cost is the total, so the two never double count."""
        return ratio(self.llm_cost - self.ai_llm_cost + self.agent_cost, self.human_resolved)

    @property
    def csat_gap(self) -> float | None:
        """Human minus AI CSAT in percentage points (positive: the AI does worse)."""
        if self.csat_ai is None or self.csat_human is None:
            return None
        return (self.csat_human - self.csat_ai) * 100

    @property
    def csat_alert(self) -> bool:
        gap = self.csat_gap
        return gap is not None and gap >= self.csat_alert_points

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "conversations": self.conversations,
            "ai_resolved": self.ai_resolved,
            "ai_resolution_rate": self.ai_resolution_rate,
            "deflected": self.deflected,
            "deflection_rate": self.deflection_rate,
            "escalated": self.escalated,
            "escalation_rate": self.escalation_rate,
            "human_resolved": self.human_resolved,
            "csat_ai": self.csat_ai,
            "csat_ai_n": self.csat_ai_n,
            "csat_human": self.csat_human,
            "csat_human_n": self.csat_human_n,
            "csat_ai_mean": self.csat_ai_mean,
            "csat_human_mean": self.csat_human_mean,
            "csat_alert": self.csat_alert,
            "override_rate": self.override_rate,
            "overrides": self.overrides,
            "override_verdicts": self.override_verdicts,
            "rejections": self.rejections,
            "escalation_reasons": dict(self.escalation_reasons),
            "customer_reasons": dict(self.customer_reasons),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "llm_cost_usd": round(self.llm_cost, 6),
            "agent_minutes": round(self.agent_minutes, 2),
            "agent_cost_usd": round(self.agent_cost, 4),
            "cost_per_resolution_usd": _usd(self.cost_per_resolution),
            "cost_per_ai_resolution_usd": _usd(self.cost_per_ai_resolution),
            "cost_per_human_resolution_usd": _usd(self.cost_per_human_resolution),
        }


def _usd(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _satisfied(entries: Iterable[FeedbackEntry]) -> tuple[int, int, float | None]:
    """(ratings of 4-5, ratings, mean rating) over the 1-5 CSAT answers; "helpful" votes are not CSAT."""
    scores = [f.score for f in entries if f.kind == "csat" and f.score is not None]
    return sum(s >= 4 for s in scores), len(scores), (sum(scores) / len(scores) if scores else None)


def llm_cost(decision: DecisionRecord, config: MetricsConfig) -> float:
    if config.input_price_per_million or config.output_price_per_million:
        return (
            decision.input_tokens * config.input_price_per_million
            + decision.output_tokens * config.output_price_per_million
        ) / 1_000_000
    return decision.cost_usd


def _handling_minutes(ticket: Ticket) -> float:
    start = ticket.claimed_at or ticket.created_at
    if ticket.resolved_at is None or start is None or ticket.resolved_at < start:
        return 0.0
    return (ticket.resolved_at - start).total_seconds() / 60


def compute(
    records: Records,
    since: datetime,
    until: datetime,
    config: MetricsConfig | None = None,
    filters: Filters | None = None,
) -> Metrics:
    """The metrics of conversations that started in [since, until) and match `filters`."""
    config = config or MetricsConfig()
    filters = filters or Filters()
    facts = [c for c in records.facts(config) if since <= c.first_at < until and filters.admits(c)]
    return _metrics(records, facts, since, until, config)


def _metrics(
    records: Records, facts: list[ConversationFacts], since: datetime, until: datetime, config: MetricsConfig
) -> Metrics:
    by_decision, by_ticket, by_feedback = records.by_key()
    decisions = [d for c in facts for d in by_decision.get(c.key, [])]
    tickets = [t for c in facts for t in by_ticket.get(c.key, [])]
    feedback = [f for c in facts for f in by_feedback.get(c.key, [])]
    human_keys = {c.key for c in facts if c.ticket}
    ai_good, ai_n, ai_mean = _satisfied(f for f in feedback if f.conversation_key not in human_keys)
    human_good, human_n, human_mean = _satisfied(f for f in feedback if f.conversation_key in human_keys)
    verdicts = [f for f in feedback if f.kind == "rewrite" and f.rewrote is not None]
    minutes = sum(_handling_minutes(t) for t in tickets if t.status is HandoffStatus.RESOLVED)
    reasons = Counter(d.reason for d in decisions if d.kind == "escalate")
    reasons.update(t.handoff.reason for t in tickets if t.handoff.reason == "rejected_draft")
    return Metrics(
        since=since,
        until=until,
        conversations=len(facts),
        ai_resolved=sum(c.ai_resolved for c in facts),
        deflected=sum(c.deflected for c in facts),
        escalated=sum(c.escalated for c in facts),
        human_resolved=sum(c.human_resolved for c in facts),
        csat_ai=ratio(ai_good, ai_n),
        csat_ai_n=ai_n,
        csat_human=ratio(human_good, human_n),
        csat_human_n=human_n,
        csat_ai_mean=ai_mean,
        csat_human_mean=human_mean,
        overrides=sum(bool(f.rewrote) for f in verdicts),
        override_verdicts=len(verdicts),
        rejections=sum(f.reason == "rejected" for f in verdicts),
        escalation_reasons=dict(reasons.most_common()),
        customer_reasons=dict(
            Counter(f.reason for f in feedback if f.kind == "escalation_reason" and f.reason).most_common()
        ),
        input_tokens=sum(d.input_tokens for d in decisions),
        output_tokens=sum(d.output_tokens for d in decisions),
        llm_cost=sum(llm_cost(d, config) for d in decisions),
        ai_llm_cost=sum(llm_cost(d, config) for d in decisions if d.conversation_key not in human_keys),
        agent_minutes=minutes,
        agent_cost=minutes / 60 * config.agent_cost_per_hour,
        csat_alert_points=config.csat_alert_points,
    )


DIMENSIONS = ("team", "channel", "language")


def breakdown(
    records: Records,
    dimension: str,
    since: datetime,
    until: datetime,
    config: MetricsConfig | None = None,
    filters: Filters | None = None,
) -> dict[str, Metrics]:
    """The metrics per value of `dimension` (team, channel or language), largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}")
    config = config or MetricsConfig()
    filters = filters or Filters()
    groups: dict[str, list[ConversationFacts]] = {}
    for c in records.facts(config):
        if since <= c.first_at < until and filters.admits(c):
            groups.setdefault(getattr(c, dimension), []).append(c)
    out = {value: _metrics(records, facts, since, until, config) for value, facts in groups.items()}
    return dict(sorted(out.items(), key=lambda item: (-item[1].conversations, item[0])))


def weekly(
    records: Records,
    until: datetime,
    weeks: int,
    config: MetricsConfig | None = None,
    filters: Filters | None = None,
) -> list[Metrics]:
    """The metrics of the `weeks` whole weeks ending at `until`, oldest first (MISSION §3: metrics by week)."""
    week = timedelta(days=7)
    return [compute(records, until - week * (k + 1), until - week * k, config, filters) for k in reversed(range(weeks))]


async def load_records(store: Any, since: datetime, *, lookback: timedelta = timedelta(days=7)) -> Records:
    """Read what `compute` needs for periods from `since` on. `store` is a `bot.core.ports.Store`.

    Decisions start a little before `since` so a conversation that began just before the period is not mistaken
    for one that began inside it; tickets and feedback are matched to conversations by key.
    """
    decisions = await store.decisions(since - lookback)
    return Records(decisions, await store.tickets(), await store.feedback(since - lookback))
