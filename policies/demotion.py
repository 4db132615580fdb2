"""Article demotion (MISSION §7): an article whose recent answers mostly did not help loses confidence.

Two pure pieces. `judge` is the rule: over the last `window_days`, at least `min_votes` rated answers cite the
article and the share that helped is below `max_helpful_rate`. `Demote` is the output step: when the answer's top
article is demoted, the answer's confidence drops by `penalty`, so the confidence gate that follows usually hands
the question to a person, and the note it leaves says why (the trace and the handoff card show it). Counting the
votes over stored records is `bot.orchestration.demotion`'s job; this module never sees a store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from bot.core.demotion import Demotion
from bot.core.ports import Outcome, Proceed, TurnContext
from bot.core.types import Answer

DEMOTED_NOTE = "demoted"  # the confidence gate adds this note to its reason


class DemotionConfig(BaseModel):
    """`[demotion]` in frontdesk.toml."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_days: int = Field(default=30, ge=1, le=365)  # votes older than this are forgotten
    min_votes: int = Field(default=5, ge=1, le=10_000)  # rated answers needed before an article can be demoted
    max_helpful_rate: float = Field(default=0.5, gt=0.0, le=1.0)  # demoted below this share of helpful answers
    penalty: float = Field(default=0.3, gt=0.0, le=1.0)  # subtracted from the confidence of answers citing it
    refresh_minutes: int = Field(default=10, ge=1, le=24 * 60)  # how stale the server's demotion list may get


def judge(article_id: str, helpful: int, rated: int, config: DemotionConfig, *, team: str = "") -> Demotion | None:
    """The demotion of one article given its rated answers in the window, or None when it stays."""
    if not config.enabled or rated < config.min_votes:  # min_votes ≥ 1, so rated > 0 below
        return None
    if helpful / rated >= config.max_helpful_rate:
        return None
    return Demotion(article_id, helpful, rated, config.window_days, team)


@dataclass(slots=True)
class Demote:
    """Demoted top article → the answer's confidence minus `penalty` (never below 0), and a note saying why."""

    penalty: float
    name: str = "demotion"

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        if not answer.articles:
            return Proceed()
        demotion = ctx.demoted.get(answer.articles[0].article_id)
        if demotion is None:
            return Proceed()
        lowered = max(0.0, answer.confidence - self.penalty)
        why = demotion.describe()
        notes = MappingProxyType({**ctx.notes, DEMOTED_NOTE: why})
        return Proceed(
            context=replace(ctx, notes=notes),
            answer=replace(answer, confidence=lowered),
            detail=f"{why}; confidence {answer.confidence:.2f} → {lowered:.2f}",
        )
