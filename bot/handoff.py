"""Builds the `Handoff` agents receive: who, what was asked, what the AI said, why it escalated.

A good summary is what lets an agent answer without scrolling the thread, so it is assembled here, once, for every
platform's card.
"""

from __future__ import annotations

from dataclasses import replace

from bot.ports import TurnContext
from bot.types import Answer, Handoff, Priority, Reply

_MAX_QUOTE = 280

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
        "pre_approval": "Pre-approval: the AI's draft needs an agent's approval.",
        "agent_first": "Agent-first: the AI's suggestion is attached.",
        "parallel": "Parallel: the AI's draft is attached; pick it or write your own.",
    }
    if reason in fixed:
        return fixed[reason]
    if reason.startswith("sensitive:"):
        return f"Sensitive topic ({reason.split(':', 1)[1].replace('_', ' ')}): a person answers first."
    return reason


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
    lines = []
    if asked:
        lines.append(f"Asked: {_clip(asked[-1])}")
        if len(asked) > 1:
            earlier = "; ".join(_clip(t, 120) for t in asked[-4:-1])
            lines.append(f"Earlier: {earlier}")
    if ctx.history.ai_answers:
        titles = ", ".join(a.title for a in ctx.history.last_articles[:3]) or "no article"
        lines.append(f"AI answered {ctx.history.ai_answers} time(s), citing: {titles}")
    if answer is not None and answer.articles:
        best = answer.articles[0]
        lines.append(f"Best article found: {best.title} (confidence {answer.confidence:.2f})")
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
