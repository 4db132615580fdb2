"""The registry of scheduled jobs (each job gets a `scheduler.context.JobContext`).

A job is `async def run(ctx) -> str`: it reads the store, sends through the `Outbox` port to configured or stored
addresses (never a platform SDK), and returns one line saying what it did (shown to the admin who ran it on demand,
logged when it ran on schedule). The same functions run on schedule (`scheduler.runner`) and on demand (`App.jobs`,
used by `/frontdesk digest now`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from scheduler import annual, campaigns, csat, deep_dive, digest, qa, review
from scheduler.config import Weekly
from scheduler.context import JobContext

JobFn = Callable[[JobContext], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job and when it runs: weekly on `slot`, or on the `cron` fields given (e.g. daily, monthly)."""

    name: str
    description: str
    run: JobFn
    slot: Weekly
    cron: Mapping[str, Any] | None = None  # APScheduler cron fields (day, day_of_week, hour, minute)
    enabled: bool | None = None  # None: the slot's own `enabled`

    @property
    def scheduled(self) -> bool:
        return self.slot.enabled if self.enabled is None else self.enabled

    def cron_fields(self) -> dict[str, Any]:
        if self.cron is not None:
            return dict(self.cron)
        return {"day_of_week": self.slot.day, "hour": self.slot.hour, "minute": self.slot.minute}


def registry(ctx: JobContext) -> dict[str, JobSpec]:
    """Every job Frontdesk knows, enabled or not (the runner schedules only the enabled ones)."""
    d, q = ctx.digest, ctx.qa
    jobs = {
        "digest": JobSpec("digest", "Monday failure digest to team leads", digest.run, d),
        "failures": JobSpec(
            "failures",
            "Daily failure list to team leads",
            digest.run_daily,
            d,
            cron={"hour": d.hour, "minute": d.minute},
            enabled=d.enabled and d.daily,
        ),
        "qa": JobSpec("qa", "Weekly QA sample of AI answers", qa.run, q),
        "legal": JobSpec(
            "legal",
            "Monthly sample of AI answers for legal review",
            qa.run_legal,
            q,
            cron={"day": 1, "hour": q.hour, "minute": q.minute},
            enabled=q.enabled and bool(q.legal_channel),
        ),
        "deep_dive": JobSpec(
            "deep_dive",
            "Monthly deep-dive: the month beside the previous three, by team and language",
            deep_dive.run,
            d,
            cron={"day": 1, "hour": d.hour, "minute": d.minute},
            enabled=d.enabled and d.monthly,
        ),
        "annual_audit": JobSpec(
            "annual_audit",
            "Annual audit: the year's trends, articles never cited, policies never triggered",
            annual.run,
            d,
            cron={"month": 1, "day": 2, "hour": d.hour, "minute": d.minute},
            enabled=d.enabled and d.annual,
        ),
        "kb_review": JobSpec(
            "kb_review",
            "Quarterly KB review: stale and uncited articles to team leads",
            review.run,
            ctx.kb_review.slot(),
            cron=ctx.kb_review.cron(),
        ),
    }
    jobs["csat"] = JobSpec(
        "csat",
        "Ask the 1-5 CSAT question when an AI-only conversation ends",
        csat.run,
        d,
        cron={"minute": "*/15"},
        enabled=ctx.metrics.ask_csat,
    )
    for name, campaign in ctx.campaigns.items():
        run = partial(campaigns.run_campaign, name=name)
        jobs[f"campaign.{name}"] = JobSpec(f"campaign.{name}", f"Campaign {name}", run, campaign)
    return jobs


def on_demand(ctx: JobContext) -> dict[str, Callable[[], Awaitable[str]]]:
    """Each job as a no-argument coroutine function, for `App.jobs` (admin commands run them at once)."""
    return {name: partial(spec.run, ctx) for name, spec in registry(ctx).items()}
