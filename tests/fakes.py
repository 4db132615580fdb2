"""Small, honest fakes for the core's ports: a keyword answerer, recording outbox/desk, fixed phrases and policies.

They let the engine, dispatcher and desk be tested without the real knowledge base or policy chain; the real ones
are tested through the same seams in their own suites and in the scenario tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.core.ports import Proceed, Stop, StopAction, TurnContext
from bot.core.types import (
    Actor,
    Address,
    Answer,
    ArticleHit,
    Audience,
    Citation,
    Inbound,
    InboundKind,
    Platform,
    Question,
    Reply,
    Role,
    Ticket,
)


@dataclass
class KeywordAnswerer:
    """Answers from a dict of keyword -> (article id, text); confidence 0.9 on a hit, 0.1 and irrelevant otherwise."""

    articles: dict[str, tuple[str, str]]
    internal: frozenset[str] = frozenset()
    asked: list[Question] = field(default_factory=list)

    async def answer(self, question: Question) -> Answer:
        self.asked.append(question)
        for keyword, (article_id, text) in self.articles.items():
            if article_id in self.internal and question.audience is Audience.CUSTOMER:
                continue
            if keyword in question.text.lower():
                hit = ArticleHit(
                    article_id, article_id.replace("-", " ").title(), 0.9, f"https://kb/{article_id}", "billing"
                )
                cite = Citation(article_id, hit.title, hit.url)
                return Answer(text, 0.9, (hit,), (cite,), relevant=True, team="billing")
        return Answer("", 0.1, (), (), relevant=False)


class Phrases:
    def say(self, key: str, language: str, **values: str) -> str:
        extra = " ".join(f"{k}={v}" for k, v in sorted(values.items()))
        return f"[{language}:{key}{(' ' + extra) if extra else ''}]"


@dataclass
class HumanRequestPolicy:
    name: str = "human_request"

    def check(self, ctx: TurnContext) -> Proceed | Stop:
        if ctx.inbound.kind is InboundKind.HUMAN_REQUEST or "human" in ctx.inbound.text.lower():
            return Stop(StopAction.ESCALATE, "asked_for_human")
        return Proceed()


@dataclass
class FailurePolicy:
    name: str = "failed_attempts"

    def check(self, ctx: TurnContext) -> Proceed | Stop:
        failed = ctx.history.failed_attempts
        if "didn't help" in ctx.inbound.text.lower():
            failed += 1
            if failed < 2:
                return Proceed(context=replace(ctx, notes={"failed_attempt": "1"}))
        if failed >= 2:
            return Stop(StopAction.ESCALATE, "repeated_failure")
        if ctx.inbound.kind is InboundKind.NOT_HELPFUL:
            return Stop(StopAction.REPLY, "clarify", text="Sorry. Tell me more?")
        return Proceed()


@dataclass
class GatePolicy:
    name: str = "confidence"

    def check(self, ctx: TurnContext, answer: Answer) -> Proceed | Stop:
        if not answer.relevant:
            return Stop(StopAction.ESCALATE, "no_knowledge")
        if answer.confidence < ctx.channel.threshold:
            return Stop(StopAction.ESCALATE, "low_confidence")
        return Proceed()


@dataclass
class RecordingOutbox:
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    fail: bool = False

    async def send(self, address: Address, reply: Reply) -> str:
        if self.fail:
            raise ConnectionError("platform down")
        self.sent.append((address, reply))
        return f"m{len(self.sent)}"


@dataclass
class RecordingDesk:
    posted: list[Ticket] = field(default_factory=list)
    updated: list[Ticket] = field(default_factory=list)
    asked: list[tuple[Ticket, Reply]] = field(default_factory=list)

    async def post(self, ticket: Ticket) -> str:
        self.posted.append(ticket)
        return f"card{len(self.posted)}"

    async def update(self, ticket: Ticket) -> None:
        self.updated.append(ticket)

    async def ask(self, ticket: Ticket, prompt: Reply) -> None:
        self.asked.append((ticket, prompt))


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


CUSTOMER = Actor("U_CUST", "Dana", "acme", Role.CUSTOMER, is_external=True)
AGENT = Actor("U_AGENT", "Alex", "us", Role.AGENT)


def message(
    text: str,
    msg_id: str,
    *,
    thread: str = "t1",
    author: Actor = CUSTOMER,
    kind: InboundKind = InboundKind.MESSAGE,
    at: datetime = T0,
) -> Inbound:
    return Inbound(msg_id, Address(Platform.WEB, "w", "c", thread), author, text, at, kind=kind)
