"""Routing: who answers. VIPs go straight to humans, only a configured share of customers gets the AI
(deterministic per customer), hybrid channels send complex questions to humans, topics pick the team, and new
channels start in pre-approval (`effective_mode`, called by the store when it resolves a channel's policy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Protocol

from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import Answer, EscalationReason, InboundKind, Mode, Priority
from policies.config import TeamConfig
from policies.text import PhraseMatcher, normalize

TEAM_NOTE = "team"
THREAD_TEAM_NOTE = "thread_team"  # the thread's team, noted apart when the message is a new question
FOLLOW_UP_WORDS = 3  # "still broken", "human please": a message this short is about the thread so far


class LanguagePhraseFinder(Protocol):
    """Finds a phrase of a language in a message (`policies.escalation.LanguagePhrases`)."""

    def find(self, text: str, language: str, *, fallback: str = "en") -> str | None: ...


def effective_mode(
    explicit_mode: str | None, default_mode: str, channel_created: date, today: date, approval_days: int
) -> Mode:
    """An admin's explicit mode wins; otherwise a channel younger than `approval_days` days is in pre-approval;
    otherwise the configured default. A default of `off` stays off (the approval period never switches AI on)."""
    if explicit_mode is not None and str(explicit_mode) != "":
        return Mode(str(explicit_mode))
    default = Mode(str(default_mode))
    if default is Mode.OFF:
        return default
    if approval_days > 0 and (today - channel_created).days < approval_days:
        return Mode.PRE_APPROVAL
    return default


def share_bucket(customer_id: str, salt: str = "") -> float:
    """A stable number in [0, 1) per customer: the same customer always lands on the same side of the rollout."""
    digest = hashlib.sha256(f"{salt}\x00{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic → team: a team's `topics` match article tags (the answer's team) and words of the question."""

    matchers: Mapping[str, PhraseMatcher]
    tags: Mapping[str, str]

    @staticmethod
    def of(teams: Mapping[str, TeamConfig]) -> Topics:
        tags = {normalize(t): name for name, team in teams.items() for t in [name, *team.topics]}
        return Topics(
            MappingProxyType({name: PhraseMatcher.of(_plurals(team.topics)) for name, team in teams.items()}),
            MappingProxyType(tags),
        )

    def for_text(self, text: str) -> str:
        norm = normalize(text)
        for name, matcher in self.matchers.items():
            if matcher.find(norm):
                return name
        return ""

    def for_tag(self, tag: str) -> str:
        return self.tags.get(normalize(tag), "")


def _plurals(topics: list[str]) -> list[str]:
    """Each topic and its plain plurals: customers write "invoices" and "refunds" when the topic says "invoice",
    and "webhook" when it says "webhooks"."""
    out: list[str] = []
    for topic in topics:
        out.append(topic)
        if topic[-1:].isalpha():
            out += [f"{topic}s", f"{topic}es"]
        if len(topic) > 4 and topic.endswith("s") and not topic.endswith("ss"):
            out.append(topic[:-1])
    return out


def noted_team(ctx: TurnContext) -> str:
    """The team this turn's question points to: its own words, or the thread's team when it is a follow-up."""
    return ctx.notes.get(TEAM_NOTE, "")


def thread_team(ctx: TurnContext) -> str:
    """`noted_team`, else the thread's team: for stops that are about the thread whatever the message says (a
    request for a person, a repeated failure), which are follow-ups by nature."""
    return ctx.notes.get(TEAM_NOTE, "") or ctx.notes.get(THREAD_TEAM_NOTE, "")


@dataclass(slots=True)
class TopicTeam:
    """Input step: notes the team the question's words point to (used by every later escalation).

    A follow-up such as "still broken" or a button press names no topic, yet its handoff belongs with the team of
    the thread: so it falls back to the latest earlier customer message that names one, then to the team of the
    article the AI last cited. The customer's own words come first because a cited article may be the wrong one.
    A new question is not a follow-up ("what is the capital of France" after a pricing answer): its team comes
    from its own words or, later, its own retrieval (`AnswerTeam`), else the channel's team; the thread's team is
    still noted apart (`thread_team`) for a typed request for a person or a failure, which are about the thread.
    """

    topics: Topics
    follow_ups: LanguagePhraseFinder | None = None  # failure and "human please" phrases: a follow-up of any length
    name: str = "topic"

    def check(self, ctx: TurnContext) -> Outcome:
        own = self.own_team(ctx)
        if own:
            return self._note(ctx, {TEAM_NOTE: own}, own)
        team, how = self.earlier_team(ctx)
        if not team:
            return Proceed()
        if self.follows_up(ctx):
            return self._note(ctx, {TEAM_NOTE: team}, f"{team} ({how})")
        return self._note(ctx, {THREAD_TEAM_NOTE: team}, f"new question; thread's team {team} ({how}) not used")

    @staticmethod
    def _note(ctx: TurnContext, notes: Mapping[str, str], detail: str) -> Proceed:
        return Proceed(context=replace(ctx, notes=MappingProxyType({**ctx.notes, **notes})), detail=detail)

    def own_team(self, ctx: TurnContext) -> str:
        text = ctx.inbound.text if ctx.inbound.kind is InboundKind.MESSAGE else ""
        return self.topics.for_text(text) if text else ""

    def follows_up(self, ctx: TurnContext) -> bool:
        """A button press, a message of a few words ("still broken", "and annual plans?"), or one carrying a
        failure or a request for a person ("I tried that and it still doesn't work"): about the thread so far."""
        if ctx.inbound.kind is not InboundKind.MESSAGE:
            return True
        if len(normalize(ctx.inbound.text).split()) <= FOLLOW_UP_WORDS:
            return True
        return self.follow_ups is not None and self.follow_ups.find(ctx.inbound.text, ctx.language) is not None

    def earlier_team(self, ctx: TurnContext) -> tuple[str, str]:
        """The thread's team: (team, "earlier message" / "last cited article"), or ("", "")."""
        for earlier in reversed(ctx.history.customer_texts):
            team = self.topics.for_text(earlier)
            if team:
                return team, "earlier message"
        for hit in ctx.history.last_articles[:1]:
            team = self.topics.for_tag(hit.team) or hit.team
            if team:
                return team, "last cited article"
        return "", ""


@dataclass(slots=True)
class AnswerTeam:
    """Output step: the answer's team from its article tag (mapped through team topics), else the question's.

    Only a relevant answer's article says anything about the question: an unrelated best article ("what is the
    capital of France" finds a pricing page) must not route the handoff, so its team is dropped.
    """

    topics: Topics
    name: str = "team"

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        tagged = (self.topics.for_tag(answer.team) or answer.team) if answer.team and answer.relevant else ""
        team = tagged or noted_team(ctx)
        if team == answer.team:
            return Proceed()
        return Proceed(answer=replace(answer, team=team), detail=team or "no team: the channel's")


@dataclass(slots=True)
class Vip:
    phrases: Phrasebook
    name: str = "vip"

    def check(self, ctx: TurnContext) -> Outcome:
        if not ctx.vip:
            return Proceed()
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.VIP.value,
            team=noted_team(ctx),
            priority=Priority.HIGH,
            text=self.phrases.say("vip_handoff", ctx.language),
        )


@dataclass(slots=True)
class Share:
    """Only `ctx.channel.ai_share` of customers get the AI; the rest go to humans (`routing`)."""

    phrases: Phrasebook
    salt: str = ""
    name: str = "share"

    def check(self, ctx: TurnContext) -> Outcome:
        share = ctx.channel.ai_share
        if share >= 1.0:
            return Proceed()
        bucket = share_bucket(ctx.inbound.author.id, self.salt)
        if bucket < share:
            return Proceed(detail=f"in AI share ({bucket:.2f} < {share:.2f})")
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.ROUTING.value,
            detail=f"share {share:.2f}",
            team=noted_team(ctx),
            text=self.phrases.say("routing_handoff", ctx.language),
        )


@dataclass(slots=True)
class Hybrid:
    """Hybrid channels: simple questions to the AI, complex ones (complexity score) to humans."""

    phrases: Phrasebook
    complex_from: float = 0.6
    name: str = "hybrid"

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.channel.mode is not Mode.HYBRID or ctx.complexity is None:
            return Proceed()
        if ctx.complexity < self.complex_from:
            return Proceed(detail=f"simple ({ctx.complexity:.2f})")
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.ROUTING.value,
            detail="complex",
            team=noted_team(ctx),
            text=self.phrases.say("routing_handoff", ctx.language),
        )
