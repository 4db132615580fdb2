"""Turns core values into storable fields (plain JSON) and back, identically for every store.

Decisions, handoffs and articles are frozen dataclasses in the core; the database keeps them as columns plus JSON.
Keeping the mapping here means the memory store and the SQL store record exactly the same facts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from bot.core.conversation import Conversation, Turn
from bot.core.ports import Contact, FeedbackEntry
from bot.core.types import (
    Action,
    Actor,
    Address,
    ArticleHit,
    Citation,
    Decision,
    DeskEvent,
    Draft,
    Escalate,
    Handoff,
    Ignore,
    Inbound,
    Platform,
    Priority,
    Proposal,
    Reply,
    Respond,
    Role,
    Ticket,
    TokenUsage,
    TraceStep,
    decision_kind,
)
from bot.store.defaults import utc

Json = dict[str, Any]

# collab: an agent's pick (bot.orchestration.collab); csat_asked: the AI-conversation CSAT question was sent
# (scheduler/csat.py); qa_grade: a reviewer graded an answer.
FEEDBACK_KINDS = frozenset({"helpful", "csat", "rewrite", "escalation_reason", "collab", "csat_asked", "qa_grade"})


@dataclass(frozen=True, slots=True)
class AdminChange:
    """Who changed what and when (slash commands, the admin page), for the audit trail."""

    actor_id: str
    what: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DecisionFields:
    kind: str
    reason: str
    confidence: float | None
    language: str
    article_ids: tuple[str, ...]
    reply: str
    trace: tuple[TraceStep, ...]
    delivered: bool
    usage: TokenUsage


def decision_fields(decision: Decision, inbound: Inbound) -> DecisionFields:
    """What is recorded for a decision. `reply` is what the customer is sent (a draft's notice, not the draft)."""
    language = inbound.language or ""
    usage = TokenUsage()
    match decision:
        case Respond():
            confidence: float | None = decision.confidence
            language, articles, reply = decision.language, decision.articles, decision.reply.text
            usage = decision.usage
        case Escalate():
            confidence = decision.confidence
            language, articles, reply = decision.language, decision.articles, decision.reply.text
            usage = decision.usage
        case Draft():
            confidence = decision.confidence
            language, articles = decision.language, decision.articles
            reply = decision.notice.text if decision.notice is not None else ""
            usage = decision.usage
        case Ignore():
            confidence, articles, reply = None, (), ""
            language = decision.language or language
    return DecisionFields(
        kind=decision_kind(decision),
        reason=decision.reason,
        confidence=confidence,
        language=language,
        article_ids=tuple(a.article_id for a in articles),
        reply=reply,
        trace=decision.trace,
        # Nothing goes out for an Ignore, so the undelivered sweep must never pick it up.
        delivered=isinstance(decision, Ignore),
        usage=usage,
    )


TurnKey = tuple[str, str, datetime, str]


def turn_key(turn: Turn) -> TurnKey:
    return (str(turn.role), turn.author_id, utc(turn.at), turn.text)


def unsaved_turns(stored: Iterable[TurnKey], turns: Iterable[Turn]) -> list[Turn]:
    """The turns a store has not got yet. Turns are append-only, so when two replicas each add a turn to the same
    conversation and save, the second save adds its own turn after the first's instead of dropping either."""
    have = Counter(stored)
    new = []
    for turn in turns:
        key = turn_key(turn)
        if have[key] > 0:
            have[key] -= 1
        else:
            new.append(turn)
    return new


def check_feedback(entry: FeedbackEntry) -> None:
    if entry.kind not in FEEDBACK_KINDS:
        raise ValueError(f"feedback kind must be one of {', '.join(sorted(FEEDBACK_KINDS))}, got {entry.kind!r}")
    if entry.score is not None and not 1 <= entry.score <= 5:
        raise ValueError(f"CSAT score must be 1 to 5, got {entry.score}")
    if entry.kind == "csat" and entry.score is None:
        raise ValueError("csat feedback needs a score from 1 to 5")


def contact_of(conversation: Conversation, seen: datetime) -> Contact:
    """The channel-level contact a conversation gives (memory store; the SQL store builds the same from rows)."""
    a = conversation.address
    return Contact(
        Address(a.platform, a.workspace, a.channel, None, a.is_dm, a.opaque),
        conversation.customer.org,
        conversation.language,
        utc(seen),
    )


def normalize_ticket(ticket: Ticket) -> Ticket:
    """Stores keep aware UTC datetimes so comparisons behave the same in memory, SQLite and PostgreSQL."""
    return replace(
        ticket,
        created_at=None if ticket.created_at is None else utc(ticket.created_at),
        claimed_at=None if ticket.claimed_at is None else utc(ticket.claimed_at),
        resolved_at=None if ticket.resolved_at is None else utc(ticket.resolved_at),
    )


# --- JSON codecs -----------------------------------------------------------------------------------------------


def plain(value: Mapping[str, Any]) -> Json:
    """A JSON-safe copy of an adapter's opaque mapping; fails loudly instead of storing something unreadable."""
    try:
        copied: Json = json.loads(json.dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Address.opaque must be JSON-serialisable to be stored: {exc}") from exc
    return copied


def frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def article_to_json(hit: ArticleHit) -> Json:
    return {
        "article_id": hit.article_id,
        "title": hit.title,
        "score": hit.score,
        "url": hit.url,
        "team": hit.team,
        "snippet": hit.snippet,
    }


def article_from_json(data: Json) -> ArticleHit:
    return ArticleHit(
        str(data["article_id"]),
        str(data.get("title", "")),
        float(data.get("score", 0.0)),
        str(data.get("url", "")),
        str(data.get("team", "")),
        str(data.get("snippet", "")),
    )


def trace_to_json(trace: tuple[TraceStep, ...]) -> list[Json]:
    return [{"step": s.step, "outcome": s.outcome, "detail": s.detail} for s in trace]


def trace_from_json(data: list[Json] | None) -> tuple[TraceStep, ...]:
    return tuple(TraceStep(str(s["step"]), str(s["outcome"]), str(s.get("detail", ""))) for s in data or [])


def address_to_json(address: Address) -> Json:
    return {
        "platform": str(address.platform),
        "workspace": address.workspace,
        "channel": address.channel,
        "thread": address.thread,
        "is_dm": address.is_dm,
        "opaque": plain(address.opaque),
    }


def address_from_json(data: Json) -> Address:
    return Address(
        Platform(data["platform"]),
        str(data["workspace"]),
        str(data["channel"]),
        data.get("thread"),
        bool(data.get("is_dm", False)),
        frozen(data.get("opaque")),
    )


def actor_to_json(actor: Actor) -> Json:
    return {
        "id": actor.id,
        "name": actor.name,
        "org": actor.org,
        "role": str(actor.role),
        "is_external": actor.is_external,
        "org_name": actor.org_name,
    }


def actor_from_json(data: Json) -> Actor:
    return Actor(
        str(data["id"]),
        str(data.get("name", "")),
        str(data.get("org", "")),
        Role(data.get("role", Role.CUSTOMER)),
        bool(data.get("is_external", False)),
        str(data.get("org_name", "")),
    )


def citation_to_json(c: Citation) -> Json:
    return {"article_id": c.article_id, "title": c.title, "url": c.url, "snippet": c.snippet}


def citation_from_json(c: Json) -> Citation:
    return Citation(str(c["article_id"]), str(c.get("title", "")), str(c.get("url", "")), str(c.get("snippet", "")))


def reply_to_json(reply: Reply) -> Json:
    return {
        "text": reply.text,
        "citations": [citation_to_json(c) for c in reply.citations],
        "actions": [{"kind": a.kind, "label": a.label, "value": a.value, "style": a.style} for a in reply.actions],
        "sources_label": reply.sources_label,
    }


def reply_from_json(data: Json) -> Reply:
    return Reply(
        str(data["text"]),
        tuple(citation_from_json(c) for c in data.get("citations", [])),
        tuple(
            Action(str(a["kind"]), str(a.get("label", "")), str(a.get("value", "")), str(a.get("style", "")))
            for a in data.get("actions", [])
        ),
        str(data.get("sources_label", "")),
    )


def handoff_to_json(handoff: Handoff) -> Json:
    return {
        "summary": handoff.summary,
        "reason": handoff.reason,
        "team": handoff.team,
        "priority": str(handoff.priority),
        "transcript_link": handoff.transcript_link,
        "customer": None if handoff.customer is None else actor_to_json(handoff.customer),
        "language": handoff.language,
        "sentiment": handoff.sentiment,
        "vip": handoff.vip,
        "suggestion": None if handoff.suggestion is None else reply_to_json(handoff.suggestion),
        "customer_reason": handoff.customer_reason,
        "reported": handoff.reported,
        "title": handoff.title,
        "cited": [citation_to_json(c) for c in handoff.cited],
        "updates": list(handoff.updates),
        "events": [
            {"kind": e.kind, "agent": e.agent, "at": e.at.isoformat(), "agent_name": e.agent_name} for e in handoff.events
        ],
        "proposal": None if handoff.proposal is None else proposal_to_json(handoff.proposal),
    }


def handoff_from_json(data: Json) -> Handoff:
    customer = data.get("customer")
    suggestion = data.get("suggestion")
    proposal = data.get("proposal")
    return Handoff(
        summary=str(data.get("summary", "")),
        reason=str(data.get("reason", "")),
        team=str(data.get("team", "")),
        priority=Priority(data.get("priority", Priority.NORMAL)),
        transcript_link=str(data.get("transcript_link", "")),
        customer=None if customer is None else actor_from_json(customer),
        language=str(data.get("language", "")),
        sentiment=str(data.get("sentiment", "")),
        vip=bool(data.get("vip", False)),
        suggestion=None if suggestion is None else reply_from_json(suggestion),
        customer_reason=data.get("customer_reason"),
        reported=bool(data.get("reported", False)),
        title=str(data.get("title", "")),
        cited=tuple(citation_from_json(c) for c in data.get("cited") or []),
        updates=tuple(str(u) for u in data.get("updates") or []),
        events=tuple(
            DeskEvent(str(e["kind"]), str(e.get("agent", "")), datetime.fromisoformat(e["at"]), str(e.get("agent_name", "")))
            for e in data.get("events") or []
        ),
        proposal=None if proposal is None else Proposal(**{k: str(v) for k, v in proposal.items()}),
    )


def proposal_to_json(proposal: Proposal) -> Json:
    return {"text": proposal.text, "agent": proposal.agent, "agent_name": proposal.agent_name, "alternative": proposal.alternative}
