"""The JSON shape of a decision, shared by `frontdesk ask --json`, `frontdesk eval --out` and the playground."""

from __future__ import annotations

from typing import Any

from bot.core.types import Decision, Draft, Ignore, Respond, decision_kind


def is_policy_reply(decision: Decision) -> bool:
    """A stock sentence a policy chose ("Hi! What can I help you with?", "could you tell me more?"), not an answer
    from the knowledge base: it has no confidence worth showing and cites nothing."""
    return isinstance(decision, Respond) and decision.reason != "answered" and not decision.articles


def describe(decision: Decision) -> dict[str, Any]:
    reply = ""
    confidence: float | None = None
    articles: tuple[Any, ...] = ()
    language = decision.language
    if not isinstance(decision, Ignore):
        reply = decision.suggestion.text if isinstance(decision, Draft) else decision.reply.text
        confidence, articles = decision.confidence, decision.articles
    if is_policy_reply(decision):
        confidence = None
    return {
        "decision": decision_kind(decision),
        "reason": decision.reason,
        "confidence": None if confidence is None else round(confidence, 4),
        "language": language,
        "articles": [{"id": a.article_id, "title": a.title, "score": round(a.score, 4)} for a in articles],
        "reply": reply,
        "trace": [{"step": s.step, "outcome": s.outcome, "detail": s.detail} for s in decision.trace],
    }
