"""Sensitive topics go to humans first: complaints and negative sentiment, billing disputes and refunds, data
security and privacy, threats and abuse (also flagged for admins), legal and regulatory questions.

Runs before retrieval. Keyword and pattern triggers come per language and category from config (shipped defaults in
`defaults/sensitive.toml`); negative sentiment (scored by the `signals` step) escalates as the sentiment category.
Specific categories are checked before the sentiment category, most urgent first, so "I was charged twice, this
is ridiculous" goes to billing, not to general support.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.core.types import InboundKind, Priority, sensitive_reason
from policies.config import SensitiveCategory, SensitiveConfig
from policies.escalation import FAILURE_NOTE
from policies.text import PhraseMatcher, fold, normalize

ANY_LANGUAGE = "*"
# "That didn't help" reads mildly negative; on a turn already counted as a failed attempt (which has its own
# escalation rule) only clearly negative sentiment makes it a complaint.
FAILURE_SENTIMENT_SLACK = 0.3
_URGENCY = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


@dataclass(frozen=True, slots=True)
class Trigger:
    """One category's compiled keywords and patterns, per language."""

    name: str
    category: SensitiveCategory
    keywords: Mapping[str, PhraseMatcher]
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]

    @staticmethod
    def of(name: str, category: SensitiveCategory) -> Trigger:
        return Trigger(
            name,
            category,
            MappingProxyType({lang: PhraseMatcher.of(items) for lang, items in category.keywords.items()}),
            MappingProxyType(
                {lang: tuple(re.compile(p, re.I) for p in items) for lang, items in category.patterns.items()}
            ),
        )

    def find(self, normalized: str, folded: str, language: str) -> str | None:
        for lang in (language, ANY_LANGUAGE):
            matcher = self.keywords.get(lang)
            hit = matcher.find(normalized) if matcher else None
            if hit:
                return f"keyword '{hit}'"
            for pattern in self.patterns.get(lang, ()):
                match = pattern.search(folded)
                if match:
                    return f"pattern '{match.group(0)[:40]}'"
        return None


@dataclass(slots=True)
class SensitiveTopics:
    triggers: tuple[Trigger, ...]
    sentiment_trigger: Trigger | None
    negative_sentiment: float
    name: str = "sensitive"

    @staticmethod
    def of(config: SensitiveConfig) -> SensitiveTopics:
        enabled = [(n, c) for n, c in config.categories.items() if c.enabled and config.enabled]
        specific = [(n, c) for n, c in enabled if n != config.sentiment_category]
        specific.sort(key=lambda item: _URGENCY[item[1].priority])  # stable: config order within a priority
        general = [(n, c) for n, c in enabled if n == config.sentiment_category]
        return SensitiveTopics(
            triggers=tuple(Trigger.of(n, c) for n, c in [*specific, *general]),
            sentiment_trigger=Trigger.of(*general[0]) if general else None,
            negative_sentiment=config.negative_sentiment,
        )

    def classify(
        self, text: str, language: str, sentiment: float | None, *, slack: float = 0.0
    ) -> tuple[Trigger, str] | None:
        """The first category the text triggers and why, or None. Pure; the benchmark calls it directly."""
        normalized, folded = normalize(text), fold(text)
        for trigger in self.triggers:
            why = trigger.find(normalized, folded, language)
            if why:
                return trigger, why
        floor = self.negative_sentiment - slack
        if self.sentiment_trigger is not None and sentiment is not None and sentiment <= floor:
            return self.sentiment_trigger, f"sentiment {sentiment:.2f} <= {floor:.2f}"
        return None

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.inbound.kind is not InboundKind.MESSAGE or not ctx.inbound.text.strip():
            return Proceed()
        slack = FAILURE_SENTIMENT_SLACK if FAILURE_NOTE in ctx.notes else 0.0
        found = self.classify(ctx.inbound.text, ctx.language, ctx.sentiment, slack=slack)
        if found is None:
            return Proceed()
        trigger, why = found
        category = trigger.category
        if category.flag_admins:
            why = f"{why}; reported to admins"  # visible on the card and in the trace, besides `flag_admins`
        return Stop(
            StopAction.ESCALATE,
            sensitive_reason(trigger.name),
            detail=why,
            team=category.team,
            priority=category.priority,
            flag_admins=category.flag_admins,
        )
