"""Builds the `Handoff` agents receive: who, what was asked, what the AI said, why it escalated.

A good summary is what lets an agent answer without scrolling the thread, so it is assembled here, once, for every
platform's card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.ports import TurnContext
from bot.core.types import Answer, ArticleHit, Handoff, Priority, Reply

_MAX_QUOTE = 280
_SHORT_FOLLOW_UP = 3  # words: "still broken", "human please", "that didn't help" name no problem of their own

# The customer's own reason for wanting a person (MISSION §7), optional. Every adapter's dropdown offers these, and
# the metrics group by the values, so they are defined once here.
HUMAN_REASONS: tuple[tuple[str, str], ...] = (
    ("wrong_answer", "The answer was wrong or didn't help"),
    ("account_change", "I need something changed on my account"),
    ("billing", "Billing or payment"),
    ("urgent", "It's urgent"),
    ("prefer_person", "I'd rather talk to a person"),
    ("other", "Something else"),
)


# Another retrieved article is worth an agent's click when its ranking probability is at least this share of the
# top article's (and not negligible); the rest of the top-k are noise on a card.
_ALSO_SHARE = 0.25
_ALSO_MIN = 0.05
_ALSO_MAX = 2


def related_articles(hits: Sequence[ArticleHit]) -> tuple[ArticleHit, ...]:
    """The retrieved articles besides the first (the one the answer quoted) that are clearly relevant too."""
    if len(hits) < 2:
        return ()
    floor = max(_ALSO_MIN, hits[0].score * _ALSO_SHARE)
    return tuple(h for h in hits[1:] if h.score >= floor and h.article_id != hits[0].article_id)[:_ALSO_MAX]


def _titles(hits: Sequence[ArticleHit]) -> str:
    return ", ".join(h.title or h.article_id for h in hits)


def _clip(text: str, limit: int = _MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sentiment_label(score: float | None) -> str:
    if score is None:
        return "unknown"
    if score <= -0.35:
        return "negative"
    if score >= 0.35:
        return "positive"
    return "neutral"


def describe_reason(reason: str) -> str:
    """Plain words for a machine reason code, for agents reading the card."""
    fixed = {
        "asked_for_human": "The customer asked for a person.",
        "low_confidence": "The AI was not confident enough to answer.",
        "repeated_failure": "The AI's answers did not help twice.",
        "no_knowledge": "Nothing in the knowledge base covers this yet.",
        "vip": "VIP customer: always handled by a person.",
        "routing": "Routed to a person by the rollout or complexity rule.",
        "guardrail": "The AI's draft was blocked by a guardrail.",
        "language": "No knowledge base in the customer's language.",
        "rejected_draft": "An agent rejected the AI's draft.",
        "internal_error": "Frontdesk hit an error while reading this message, so a person takes it.",
        "pre_approval": "Pre-approval: the AI's draft needs an agent's approval.",
        "agent_first": "Agent-first: a person answers (the AI's suggestion is attached when it has one).",
        "parallel": "Parallel: a person answers; pick the AI's draft when one is attached, or write your own.",
    }
    if reason in fixed:
        return fixed[reason]
    if reason.startswith("sensitive:"):
        return f"Sensitive topic ({reason.split(':', 1)[1].replace('_', ' ')}): a person answers first."
    return reason


def _asked_lines(asked: list[str]) -> list[str]:
    """What the customer asked. A short last message ("still broken", "human please") does not say what the
    problem is, so the latest longer message leads and the short one follows: the agent reads the question first."""
    if not asked:
        return []
    last = len(asked) - 1
    if len(asked[last].split()) <= _SHORT_FOLLOW_UP:
        lead = next((i for i in range(last - 1, -1, -1) if len(asked[i].split()) > _SHORT_FOLLOW_UP), last)
    else:
        lead = last
    lines = [f"Asked: {_clip(asked[lead])}"]
    if lead != last:
        lines.append(f"Then: {_clip(asked[last], 120)}")
    earlier = [t for i, t in enumerate(asked) if i not in (lead, last)][-3:]
    if earlier:
        lines.append(f"Earlier: {'; '.join(_clip(t, 120) for t in earlier)}")
    return lines


def build_handoff(
    ctx: TurnContext,
    *,
    reason: str,
    team: str,
    answer: Answer | None = None,
    suggestion: Reply | None = None,
    priority: Priority = Priority.NORMAL,
    detail: str = "",
    reported: bool = False,
) -> Handoff:
    asked = [*ctx.history.customer_texts, ctx.inbound.text] if ctx.inbound.text else list(ctx.history.customer_texts)
    lines = _asked_lines(asked)
    if ctx.history.ai_answers:
        # The AI quotes one article (the first hit); listing every retrieved hit as "cited" misleads the agent.
        last = ctx.history.last_articles
        cited = _titles(last[:1]) or "no article"
        also = related_articles(last)
        extra = f"; also relevant: {_titles(also)}" if also else ""
        lines.append(f"AI answered {ctx.history.ai_answers} time(s), citing: {cited}{extra}")
    if answer is not None and answer.articles:
        best = answer.articles[0]
        lines.append(f"Best article found: {best.title} (confidence {answer.confidence:.2f})")
        also = related_articles(answer.articles)
        if also:
            lines.append(f"Also relevant: {_titles(also)}")
    why = describe_reason(reason)
    if detail:
        why = f"{why} ({detail})"
    lines.append(f"Why: {why}")
    customer = ctx.inbound.author
    who = customer.name or customer.id
    if customer.org:
        who = f"{who} ({customer.org})"
    lines.append(f"Customer: {who}{' · VIP' if ctx.vip else ''} · language {ctx.language}")
    return Handoff(
        summary="\n".join(lines),
        reason=reason,
        team=team,
        priority=Priority.HIGH if ctx.vip and priority is Priority.NORMAL else priority,
        customer=customer,
        language=ctx.language,
        sentiment=sentiment_label(ctx.sentiment),
        vip=ctx.vip,
        suggestion=suggestion,
        customer_reason=ctx.inbound.reason_choice,
        reported=reported,
    )


def with_reason(handoff: Handoff, reason: str) -> Handoff:
    """The handoff under a new reason (e.g. a rejected draft), its summary's "Why:" line saying the same as the card."""
    why = f"Why: {describe_reason(reason)}"
    lines = [why if line.startswith("Why: ") else line for line in handoff.summary.splitlines()]
    return replace(handoff, reason=reason, summary="\n".join(lines))
