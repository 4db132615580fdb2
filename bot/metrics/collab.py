"""How agents used the collaboration models (MISSION §10): which answer won in parallel, how often agent-first
agents took the AI's wording, and what became of pre-approval drafts. Read from the "collab" feedback records the
desk writes on every choice (`bot.orchestration.collab`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.ports import FeedbackEntry


@dataclass(frozen=True, slots=True)
class Collaboration:
    counts: Counter[str]

    def to_json(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))

    def lines(self) -> list[str]:
        """One line per model that saw any choice in the period; nothing when none did."""
        c, out = self.counts, []
        picks = c["picked_ai"] + c["picked_agent"]
        if picks:
            out.append(
                f"Parallel: the AI's draft was picked {c['picked_ai']} of {picks} times, the agent's reply "
                f"{c['picked_agent']} ({round(100 * c['picked_ai'] / picks)}% AI)"
            )
        offered = c["suggestion_accepted"] + c["suggestion_edited"] + c["suggestion_rejected"]
        if offered or c["wrote"]:
            out.append(
                f"Agent-first: the AI's wording was accepted {c['suggestion_accepted']}, edited "
                f"{c['suggestion_edited']} and declined {c['suggestion_rejected']} times; "
                f"{c['wrote']} replies went out with no wording offered"
            )
        drafts = c["approved"] + c["edited"] + c["rejected"]
        if drafts:
            out.append(
                f"Drafts: approved {c['approved']}, edited {c['edited']}, rejected {c['rejected']} (of {drafts})"
            )
        return out


def collaboration(feedback: Iterable[FeedbackEntry], since: datetime, until: datetime) -> Collaboration:
    return Collaboration(Counter(f.reason for f in feedback if f.kind == "collab" and since <= f.at < until))
