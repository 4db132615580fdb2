"""An article demoted by feedback (MISSION §7), as every layer names it: knowledge applies the penalty, the
orchestration counts it, the adapters and jobs show it. Standard library only, like the rest of the core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Demotion:
    """An article whose recent AI answers mostly did not help (MISSION §7): answers citing it lose confidence."""

    article_id: str
    helpful: int  # rated answers citing it that helped
    rated: int  # answers citing it with any signal: a vote, an escalation right after, an agent's rewrite
    window_days: int
    team: str = ""

    @property
    def votes(self) -> str:
        """ "2/9 helpful in 30 days": the count every surface (trace, status, digest, dashboard, CLI) shows."""
        return f"{self.helpful}/{self.rated} helpful in {self.window_days} days"

    def describe(self) -> str:
        return f"article {self.article_id} demoted: {self.votes}"
