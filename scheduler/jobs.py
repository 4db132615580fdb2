"""The registry of scheduled jobs, and what every job is given to work with (`JobContext`).

A job is `async def run(ctx) -> str`: it reads the store, sends through the `Outbox` port to configured or stored
addresses (never a platform SDK), and returns one line saying what it did (shown to the admin who ran it on demand,
logged when it ran on schedule). The same functions run on schedule (`scheduler.runner`) and on demand (`App.jobs`,
used by `/frontdesk digest now`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import Any, Protocol

from bot.errors import FrontdeskError
from bot.metrics import MetricsConfig
from bot.ports import Outbox, Store
from bot.types import Address, Platform, Reply
from policies.demotion import DemotionConfig
from scheduler.config import CampaignConfig, DigestConfig, KbReviewConfig, QaConfig, SchedulerConfig, Weekly


class JobHost(Protocol):
    """The structural shape of `bot.bootstrap.App` that jobs need (the scheduler sits below the composition root)."""

    store: Store
    outboxes: dict[Platform, Outbox]
    config: Any  # bot.settings.Config, read once in `JobContext.of`
    knowledge: Any


@dataclass(frozen=True, slots=True)
class JobContext:
    store: Store
    outboxes: Mapping[Platform, Outbox]  # the live mapping adapters register into
    digest: DigestConfig = field(default_factory=DigestConfig)
    qa: QaConfig = field(default_factory=QaConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    demotion: DemotionConfig = field(default_factory=DemotionConfig)
    kb_review: KbReviewConfig = field(default_factory=KbReviewConfig)
    default_team: str = "support"
    review_days: int = 180  # [knowledge] review_days: older articles are stale
    campaigns: Mapping[str, CampaignConfig] = field(default_factory=lambda: MappingProxyType({}))
    leads: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # team -> [teams.<t>] lead
    teams: tuple[str, ...] = ()
    knowledge: Any = None  # the KnowledgeBase when attached (article titles)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @staticmethod
    def of(host: JobHost, clock: Callable[[], datetime] | None = None) -> JobContext:
        config = host.config
        return JobContext(
            store=host.store,
            outboxes=host.outboxes,
            digest=config.digest,
            qa=config.qa,
            metrics=config.metrics,
            scheduler=config.scheduler,
            demotion=config.demotion,
            kb_review=config.kb_review,
            default_team=config.routing.default_team,
            review_days=config.knowledge.review_days,
            campaigns=MappingProxyType(dict(config.campaigns)),
            leads=MappingProxyType({name: team.lead for name, team in config.teams.items() if team.lead}),
            teams=tuple(config.teams),
            knowledge=host.knowledge,
            clock=clock or (lambda: datetime.now(UTC)),
        )

    async def send(self, platform: Platform, target: str, reply: Reply, *, address: Address | None = None) -> str:
        """Post to a configured channel or person, or to a stored `address`, through the platform's outbox."""
        outbox = self.outboxes.get(platform)
        if outbox is None:
            raise FrontdeskError(f"cannot post to {platform.value}: {platform.value} is not configured on this server")
        return await outbox.send(address or Address(platform, "", target), reply)

    def title(self, article_id: str) -> str:
        """An article's title when the knowledge base is attached; its id otherwise."""
        articles = getattr(self.knowledge, "articles", None)
        if callable(articles):
            for article in articles():
                if getattr(article, "id", None) == article_id:
                    return str(getattr(article, "title", "") or article_id)
        return article_id


def mention(target: str) -> str:
    """How Slack shows a channel or person id inside a message."""
    if target[:1] in ("C", "G"):
        return f"<#{target}>"
    if target[:1] in ("U", "W"):
        return f"<@{target}>"
    return target


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
    from scheduler import campaigns, digest, qa, review

    d, q = ctx.digest, ctx.qa
    jobs = {
        "digest": JobSpec("digest", "Monday failure digest to team leads", digest.run, d),
        "failures": JobSpec(
            "failures", "Daily failure list to team leads", digest.run_daily, d,
            cron={"hour": d.hour, "minute": d.minute}, enabled=d.enabled and d.daily,
        ),
        "qa": JobSpec("qa", "Weekly QA sample of AI answers", qa.run, q),
        "legal": JobSpec(
            "legal", "Monthly sample of AI answers for legal review", qa.run_legal, q,
            cron={"day": 1, "hour": q.hour, "minute": q.minute}, enabled=q.enabled and bool(q.legal_channel),
        ),
        "kb_review": JobSpec(
            "kb_review", "Quarterly KB review: stale and uncited articles to team leads", review.run,
            ctx.kb_review.slot(), cron=ctx.kb_review.cron(),
        ),
    }
    for name, campaign in ctx.campaigns.items():
        run = partial(campaigns.run_campaign, name=name)
        jobs[f"campaign.{name}"] = JobSpec(f"campaign.{name}", f"Campaign {name}", run, campaign)
    return jobs


def on_demand(ctx: JobContext) -> dict[str, Callable[[], Awaitable[str]]]:
    """Each job as a no-argument coroutine function, for `App.jobs` (admin commands run them at once)."""
    return {name: partial(spec.run, ctx) for name, spec in registry(ctx).items()}
