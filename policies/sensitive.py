"""Sensitive topics go to humans first: complaints and negative sentiment, billing disputes and refunds, data
security and privacy, threats and abuse (also flagged for admins), legal and regulatory questions.

Runs before retrieval. Keyword and pattern triggers come per language and category from config (shipped defaults in
`defaults/sensitive.toml`); negative sentiment (scored by the `signals` step) escalates as the sentiment category.
Specific categories are checked before the sentiment category, most urgent first, so "I was charged twice, this
is ridiculous" goes to billing, not to general support. Beyond word lists, the configured LLM's reading of the
message (`policies/mood.py`, a context note) escalates too: a threat or abuse as the threat category, a complaint
as the sentiment category. Any one guard is enough; none is the only one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.core.types import InboundKind, Priority, sensitive_reason
from policies.config import SensitiveCategory, SensitiveConfig
from policies.escalation import FAILURE_NOTE
from policies.mood import ESCALATING, MOOD_NOTE
from policies.text import PhraseMatcher, fold, normalize

ANY_LANGUAGE = "*"
# "That didn't help" reads mildly negative; on a turn already counted as a failed attempt (which has its own
# escalation rule) only clearly negative sentiment makes it a complaint.
FAILURE_SENTIMENT_SLACK = 0.3
_URGENCY = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


def _fold_pattern(pattern: str) -> str:
    """A pattern in the form of the text it runs on: decomposed and without combining marks, as `fold` leaves the
    text (so Japanese "ば" and Korean syllables match), but not case-folded, which would turn "\\B" into "\\b"."""
    decomposed = unicodedata.normalize("NFKD", pattern)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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
                {lang: tuple(re.compile(_fold_pattern(p), re.I) for p in items) for lang, items in category.patterns.items()}
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
    abuse_trigger: Trigger | None = None  # where the LLM's "abuse" and "threat" verdicts go
    name: str = "sensitive"

    @staticmethod
    def of(config: SensitiveConfig) -> SensitiveTopics:
        enabled = [(n, c) for n, c in config.categories.items() if c.enabled and config.enabled]
        specific = [(n, c) for n, c in enabled if n != config.sentiment_category]
        specific.sort(key=lambda item: _URGENCY[item[1].priority])  # stable: config order within a priority
        general = [(n, c) for n, c in enabled if n == config.sentiment_category]
        abuse = [(n, c) for n, c in enabled if n == config.abuse_category]
        return SensitiveTopics(
            triggers=tuple(Trigger.of(n, c) for n, c in [*specific, *general]),
            sentiment_trigger=Trigger.of(*general[0]) if general else None,
            negative_sentiment=config.negative_sentiment,
            abuse_trigger=Trigger.of(*abuse[0]) if abuse else None,
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

    def read_by_llm(self, mood: str | None) -> tuple[Trigger, str] | None:
        """The category for the LLM's verdict on the message (a context note), or None."""
        if mood not in ESCALATING:
            return None
        trigger = self.abuse_trigger if mood in ("abuse", "threat") else None
        trigger = trigger or self.sentiment_trigger
        return (trigger, f"the language model read it as {mood}") if trigger is not None else None

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.inbound.kind is not InboundKind.MESSAGE or not ctx.inbound.text.strip():
            return Proceed()
        slack = FAILURE_SENTIMENT_SLACK if FAILURE_NOTE in ctx.notes else 0.0
        found = self.classify(ctx.inbound.text, ctx.language, ctx.sentiment, slack=slack)
        found = found or self.read_by_llm(ctx.notes.get(MOOD_NOTE))
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
