"""What the metrics know about each conversation, derived once from stored records (`bot.metrics.compute` computes on it).

`Records` holds the loaded decisions, tickets and feedback and groups them by conversation on first use;
`ConversationFacts` is one conversation's outcome under the published definitions (see `bot.metrics.compute`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import HandoffStatus, Ticket


class MetricsConfig(BaseModel):
    """`[metrics]` in frontdesk.toml: prices for cost per resolution and the resolution definition's windows."""

    model_config = ConfigDict(extra="forbid")

    input_price_per_million: float = Field(default=0.0, ge=0)  # USD per million LLM input tokens
    output_price_per_million: float = Field(default=0.0, ge=0)  # USD per million LLM output tokens
    agent_cost_per_hour: float = Field(default=0.0, ge=0)  # USD per agent hour (loaded cost)
    resolution_window_days: int = Field(default=7, ge=1, le=90)  # "not reopened within 7 days"
    reopen_after_hours: float = Field(default=24.0, gt=0)  # a follow-up sooner than this is the same conversation
    csat_alert_points: float = Field(default=5.0, ge=0, le=100)
    # The same 1-5 question as after a person resolves, asked when an AI-only conversation ends: right after the
    # customer's thanks, or after this many quiet hours (scheduler/csat.py; needs [scheduler] enabled).
    ask_csat: bool = True
    csat_idle_hours: float = Field(default=2.0, gt=0, le=168)


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    """What the metrics need to know about one conversation, derived once from its records."""

    key: str
    channel: str
    team: str
    language: str
    first_at: datetime
    ai_answered: bool
    ticket: bool  # a person was involved (handoff or draft)
    escalated: bool  # the AI handed it over (an Escalate decision)
    human_resolved: bool
    negative: bool
    reopened: bool
    abandoned_negative: bool = False  # the customer's last signal was negative ("not helpful", CSAT 1-2)

    @property
    def ai_resolved(self) -> bool:
        return self.ai_answered and not self.ticket and not self.negative and not self.reopened

    @property
    def deflected(self) -> bool:
        """Resolved without a person: the AI answered, no ticket, and the customer did not leave on a negative
        signal (a "not helpful" later made good by a "helpful" or a CSAT 4-5 still counts)."""
        return self.ai_answered and not self.ticket and not self.abandoned_negative


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Records:
    """Everything the metrics read, as loaded from the store (decisions from a little before the period on).

    Grouped by conversation once, on first use, and conversation facts are kept per metrics config: a report slices
    the same records many ways (per team, per channel, per week), and regrouping for each slice made a 200-channel
    breakdown quadratic.
    """

    decisions: Sequence[DecisionRecord]
    tickets: Sequence[Ticket]
    feedback: Sequence[FeedbackEntry]
    _cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def by_key(self) -> tuple[dict[str, list[DecisionRecord]], dict[str, list[Ticket]], dict[str, list[FeedbackEntry]]]:
        """Decisions (in time order), tickets and feedback per conversation key."""
        if "by_key" not in self._cache:
            decisions = _group(sorted(self.decisions, key=lambda d: (d.at, d.id)), lambda d: d.conversation_key)
            tickets = _group(self.tickets, lambda t: t.conversation_key)
            feedback = _group(self.feedback, lambda f: f.conversation_key)
            self._cache["by_key"] = (decisions, tickets, feedback)
        cached: tuple[dict[str, list[DecisionRecord]], dict[str, list[Ticket]], dict[str, list[FeedbackEntry]]]
        cached = self._cache["by_key"]
        return cached

    def facts(self, config: MetricsConfig) -> list[ConversationFacts]:
        key = ("facts", config.model_dump_json())
        if key not in self._cache:
            self._cache[key] = _conversation_facts(self, config)
        facts: list[ConversationFacts] = self._cache[key]
        return facts


def _group(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _is_negative(f: FeedbackEntry) -> bool:
    return (f.kind == "helpful" and f.helpful is False) or (f.kind == "csat" and f.score is not None and f.score <= 2)


def _negative(entries: Sequence[FeedbackEntry]) -> bool:
    return any(_is_negative(f) for f in entries)


def _last_signal_negative(entries: Sequence[FeedbackEntry]) -> bool:
    """True when the customer's latest vote or rating was negative: they left unhappy."""
    signals = [f for f in entries if (f.kind == "helpful" and f.helpful is not None) or
               (f.kind == "csat" and f.score is not None)]
    return bool(signals) and _is_negative(max(signals, key=lambda f: f.at))


def _reopened(decisions: Sequence[DecisionRecord], config: MetricsConfig) -> bool:
    after, window = timedelta(hours=config.reopen_after_hours), timedelta(days=config.resolution_window_days)
    answers = [d.at for d in decisions if d.kind == "answer" and d.article_ids]
    return any(a + after <= d.at <= a + window for a in answers for d in decisions if d.at > a)


def _team(decisions: Sequence[DecisionRecord], tickets: Sequence[Ticket]) -> str:
    """Where the conversation ended up: its latest ticket's team, else the team of the latest article the AI
    answered from, else the latest recorded team (a channel's or the default team, the weakest signal)."""
    routed = [t.handoff.team for t in sorted(tickets, key=lambda t: t.created_at or EPOCH) if t.handoff.team]
    if routed:
        return routed[-1]
    cited = [d.team for d in decisions if d.article_ids and d.team]
    if cited:
        return cited[-1]
    return next((d.team for d in reversed(decisions) if d.team), "")


def conversation_facts(records: Records, config: MetricsConfig) -> list[ConversationFacts]:
    """One `ConversationFacts` per conversation that has at least one decision other than Ignore."""
    return records.facts(config)


def _conversation_facts(records: Records, config: MetricsConfig) -> list[ConversationFacts]:
    by_decision, tickets, feedback = records.by_key()
    facts = []
    for key, all_items in by_decision.items():
        items = [d for d in all_items if d.kind != "ignore"]
        if not items:
            continue
        first = items[0]
        own_tickets = tickets.get(key, [])
        facts.append(
            ConversationFacts(
                key=key,
                channel=first.channel,
                team=_team(items, own_tickets),
                language=first.language,
                first_at=first.at,
                ai_answered=any(d.kind == "answer" and d.article_ids for d in items),
                ticket=bool(own_tickets),
                escalated=any(d.kind == "escalate" for d in items),
                # A ticket handed back to the AI was closed, not resolved by a person.
                human_resolved=any(
                    t.status is HandoffStatus.RESOLVED and t.resolved_at and not t.handoff.handed_back
                    for t in own_tickets
                ),
                negative=_negative(feedback.get(key, [])),
                reopened=_reopened(items, config),
                abandoned_negative=_last_signal_negative(feedback.get(key, [])),
            )
        )
    return facts


