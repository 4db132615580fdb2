"""Languages customers wrote in that the knowledge base has no articles for: what a multilingual support lead needs
to decide which language to write articles in next. Counted per conversation (not per message), per language, from
the turns handed to people for that reason (`EscalationReason.LANGUAGE`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.core.types import EscalationReason
from bot.metrics.compute import Filters
from bot.metrics.records import MetricsConfig, Records


def without_articles(
    records: Records, since: datetime, until: datetime, config: MetricsConfig, filters: Filters | None = None
) -> dict[str, int]:
    """Conversations per language (most first) that asked in a language without articles during the period."""
    admits = (filters or Filters()).admits
    keys = {c.key for c in records.facts(config) if admits(c)}
    seen = {
        (d.conversation_key, d.language)
        for d in records.decisions
        if d.reason == EscalationReason.LANGUAGE.value and since <= d.at < until and d.conversation_key in keys
    }
    return dict(Counter(language for _, language in seen).most_common())


def without_articles_line(counts: dict[str, int]) -> str:
    """"Asked in languages without articles: ja 12, tr 3" ("" when there were none)."""
    if not counts:
        return ""
    return "Asked in languages without articles: " + ", ".join(f"{lang} {n}" for lang, n in counts.items())
