"""The collaboration report line, from "collab" records built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.ports import FeedbackEntry
from bot.metrics.collab import collaboration

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def entry(reason: str, days: int = 1, kind: str = "collab") -> FeedbackEntry:
    return FeedbackEntry(kind, "k", "U1", T0 + timedelta(days=days), reason=reason)


def test_parallel_and_agent_first_choices_are_counted_in_the_period() -> None:
    records = [
        entry("picked_ai"),
        entry("picked_ai"),
        entry("picked_agent"),
        entry("suggestion_accepted"),
        entry("suggestion_rejected"),
        entry("wrote"),
        entry("picked_agent", days=9),  # after the period
        entry("picked_agent", kind="rewrite"),  # another kind of record
    ]
    c = collaboration(records, T0, T0 + timedelta(days=7))
    assert c.lines() == [
        "Parallel: the AI's draft was picked 2 of 3 times, the agent's reply 1 (67% AI)",
        "Agent-first: the AI's wording was accepted 1, edited 0 and declined 1 times; 1 replies went out with no "
        "wording offered",
    ]
    assert c.to_json() == {"picked_agent": 1, "picked_ai": 2, "suggestion_accepted": 1, "suggestion_rejected": 1, "wrote": 1}
    assert collaboration([], T0, T0 + timedelta(days=7)).lines() == []
