"""What every scheduled job is given to work with (`JobContext`), apart from the registry that lists the jobs.

Job modules (digest, qa, review, campaigns) and the webhook depend on this module only; `scheduler.jobs` imports
them to build its registry, so the dependency runs one way and there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Protocol

from bot.core.errors import FrontdeskError
from bot.core.ports import Outbox, Store
from bot.core.types import Address, Platform, Reply
from bot.metrics.compute import MetricsConfig
from policies.demotion import DemotionConfig
from scheduler.config import CampaignConfig, DigestConfig, KbReviewConfig, QaConfig, SchedulerConfig, target_platform


class JobHost(Protocol):
    """The structural shape of `bot.bootstrap.App` that jobs need (the scheduler sits below the composition root)."""

    store: Store
    outboxes: dict[Platform, Outbox]
    config: Any  # bot.settings.Config, read once in `JobContext.of`
    knowledge: Any
    phrases: Any  # bot.core.ports.Phrasebook: the customer-facing sentences (the AI-conversation CSAT question)


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
    phrases: Any = None  # the Phrasebook (None in tests that send no customer sentence)
    sensitive_categories: tuple[str, ...] = ()  # configured sensitive topics (the annual audit's "never triggered")
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
            phrases=getattr(host, "phrases", None),
            sensitive_categories=tuple(getattr(getattr(config, "sensitive", None), "categories", {}) or ()),
            clock=clock or (lambda: datetime.now(UTC)),
        )

    async def send(self, platform: Platform, target: str, reply: Reply, *, address: Address | None = None) -> str:
        """Post to a configured channel or person, or to a stored `address`, through the platform's outbox."""
        if address is None:
            platform = target_platform(target, platform)  # a Teams id in a Slack job's recipients goes to Teams
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
    """How Slack shows a channel or person id inside a message (a Teams id is named as such, not linked)."""
    if target_platform(target, Platform.SLACK) is Platform.TEAMS:
        return "a Teams person" if target[:1].isalnum() and ":" not in target else "a Teams channel or chat"
    if target[:1] in ("C", "G"):
        return f"<#{target}>"
    if target[:1] in ("U", "W"):
        return f"<@{target}>"
    return target
