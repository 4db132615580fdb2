"""The conversation engine: one customer turn in, exactly one `Decision` out, with the trace of why.

Order (ARCHITECTURE.md): who is speaking and who owns the thread → input policies (human requested, sensitive,
VIP, routing share, language) → the knowledge chain → output policies (relevance, confidence gate, failed attempts,
guardrails, persona) → the channel's collaboration mode turns the surviving answer into Respond or Draft.
The engine mutates nothing and performs no I/O besides asking the `Answerer`; the dispatcher persists and delivers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType

from bot.core.conversation import ConversationStatus
from bot.core.demotion import Demotion
from bot.core.ports import (
    Answerer,
    History,
    InputPolicy,
    OutputPolicy,
    Phrasebook,
    Proceed,
    Stop,
    StopAction,
    TurnContext,
    Writer,
)
from bot.core.types import (
    Action,
    Answer,
    ChannelPolicy,
    Decision,
    Draft,
    Escalate,
    Ignore,
    Inbound,
    InboundKind,
    Mode,
    Question,
    Reply,
    Respond,
    Role,
    TokenUsage,
    TraceStep,
)
from bot.orchestration.handoff import build_handoff, summarize_with, transcript
from policies.mood import MOOD_NOTE

FAILED_ATTEMPT = "failed_attempt"  # trace outcome the dispatcher counts
INTERNAL_ERROR = "internal_error"  # the handoff reason when deciding failed (see `Engine.fail_safe`)


def is_failed_attempt(decision: Decision) -> bool:
    """True when a policy judged this turn a failed attempt of the AI (typed "that didn't help", a re-ask)."""
    return any(step.outcome == FAILED_ATTEMPT for step in decision.trace)


def customer_actions(phrases: Phrasebook, language: str, *, feedback: bool = True) -> tuple[Action, ...]:
    """Buttons under every AI message: feedback, the one click to a human (MISSION §2, §7), and "No AI answers for
    me" (rule 11), the customer's lasting choice to be answered by people only."""
    human = Action("human", phrases.say("label_human", language), "human")
    if not feedback:
        return (human,)  # a stock prompt ("How can I help?"): one click to a person, no clutter
    return (
        Action("helpful", phrases.say("label_helpful", language), "yes"),
        Action("not_helpful", phrases.say("label_not_helpful", language), "no"),
        human,
        Action("no_ai", phrases.say("label_no_ai", language), "no_ai"),
    )


@dataclass(slots=True)
class Engine:
    answerer: Answerer
    input_policies: Sequence[InputPolicy]
    output_policies: Sequence[OutputPolicy]
    phrases: Phrasebook
    default_team: str = "support"
    default_language: str = "en"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # The demoted articles as last computed from feedback (`bot.orchestration.demotion.DemotionBoard.current`): a snapshot read,
    # never a database query per message.
    demotions: Callable[[], Mapping[str, Demotion]] = field(default=lambda: {})
    writer: Writer | None = None  # the configured LLM: writes the handoff summary (grounded) when set
    # The configured LLM's one-word reading of a message's mood (policies/mood.py), or None without an LLM: its
    # verdict goes into the context notes for the sensitive step, beside (never instead of) the word lists.
    read_mood: Callable[[str], Awaitable[str | None]] | None = None

    async def decide(
        self, inbound: Inbound, history: History, channel: ChannelPolicy, *, vip: bool, no_ai: bool = False
    ) -> Decision:
        """One turn. `no_ai`: this customer asked earlier for no AI answers (`bot.orchestration.no_ai`)."""
        trace: list[TraceStep] = []
        language = inbound.language or history.language or self.default_language
        gate = self._gate(inbound, history, channel)
        ctx = TurnContext(
            inbound=inbound,
            history=history,
            channel=channel,
            now=self.clock(),
            vip=vip,
            language=language,
            demoted=self.demotions(),
            no_ai=no_ai,
        )
        if gate is not None:
            return self._silent(ctx, gate)
        trace.append(TraceStep("gate", "proceed"))
        if self.read_mood is not None and inbound.kind is InboundKind.MESSAGE and inbound.text.strip():
            mood = await self.read_mood(inbound.text)
            if mood:
                ctx = replace(ctx, notes=MappingProxyType({**ctx.notes, MOOD_NOTE: mood}))
                trace.append(TraceStep("mood", "read", mood))
        for policy in self.input_policies:
            outcome = policy.check(ctx)
            if isinstance(outcome, Stop):
                if outcome.failed_attempt:
                    trace.append(TraceStep(policy.name, FAILED_ATTEMPT, outcome.detail))
                trace.append(TraceStep(policy.name, outcome.action.value, f"{outcome.reason} {outcome.detail}".strip()))
                return await self._stop(ctx, outcome, trace, answer=None)
            ctx = self._proceed(policy.name, outcome, ctx, trace)

        if inbound.kind is not InboundKind.MESSAGE or not inbound.text.strip():
            # Button presses carry no question; only policies may act on them. Reaching here means none did.
            trace.append(TraceStep("engine", "ignore", "no question to answer"))
            return Ignore("no_question", tuple(trace), ctx.language)

        answer = await self.answerer.answer(
            Question(inbound.text, ctx.language, channel.audience, history.customer_texts)
        )
        top = answer.articles[0].article_id if answer.articles else "-"
        trace.append(TraceStep("knowledge", "answer", f"top={top} confidence={answer.confidence:.2f}"))

        for out_policy in self.output_policies:
            outcome = out_policy.check(ctx, answer)
            if isinstance(outcome, Stop):
                trace.append(
                    TraceStep(out_policy.name, outcome.action.value, f"{outcome.reason} {outcome.detail}".strip())
                )
                return await self._stop(ctx, outcome, trace, answer=answer)
            if outcome.answer is not None:
                answer = outcome.answer
            ctx = self._proceed(out_policy.name, outcome, ctx, trace)

        return await self._deliver(ctx, answer, trace)

    async def fail_safe(self, inbound: Inbound, history: History, channel: ChannelPolicy, error: str) -> Decision:
        """The decision when deciding itself failed (a provider error, a bug): a handoff with a readable reason, so
        the customer is never left in silence; still silent where the AI would have been (an agent's message, a
        thread a person already owns)."""
        language = inbound.language or history.language or self.default_language
        gate = self._gate(inbound, history, channel)
        if gate is not None:
            return Ignore(gate, (TraceStep("engine", "error", error[:200]), TraceStep("gate", "ignore", gate)), language)
        ctx = TurnContext(inbound=inbound, history=history, channel=channel, now=self.clock(), language=language)
        trace = [TraceStep("engine", "error", error[:200])]
        return await self._stop(ctx, Stop(StopAction.ESCALATE, INTERNAL_ERROR), trace, answer=None)

    # -- steps --------------------------------------------------------------------------------------------------

    def _silent(self, ctx: TurnContext, gate: str) -> Ignore:
        """The gate keeps the AI quiet. While a person has the thread, steps marked `while_with_a_person` (a
        customer's lasting "no AI answers") still read the message: their stop becomes this Ignore's reason, so the
        dispatcher records the choice, and nothing is said (the person in the thread reads the message)."""
        steps = [TraceStep("gate", "ignore", gate)]
        if gate in ("awaiting_human", "claimed_by_human") and not ctx.no_ai:
            for policy in self.input_policies:
                if not getattr(policy, "while_with_a_person", False):
                    continue
                outcome = policy.check(ctx)
                if isinstance(outcome, Stop):
                    steps.append(TraceStep(policy.name, "ignore", f"{outcome.reason} {outcome.detail}".strip()))
                    return Ignore(outcome.reason, tuple(steps), ctx.language)
        return Ignore(gate, tuple(steps), ctx.language)

    @staticmethod
    def _gate(inbound: Inbound, history: History, channel: ChannelPolicy) -> str | None:
        """Reasons to stay silent before any policy runs: not a customer, a human owns the thread, AI switched off."""
        if inbound.author.role is not Role.CUSTOMER:
            return "not_a_customer"
        if history.status is ConversationStatus.CLAIMED:
            return "claimed_by_human"
        if history.status is ConversationStatus.ESCALATED:
            return "awaiting_human"
        if channel.paused:
            return "paused"
        if channel.mode is Mode.OFF:
            return "mode_off"
        return None

    @staticmethod
    def _proceed(name: str, outcome: Proceed, ctx: TurnContext, trace: list[TraceStep]) -> TurnContext:
        if outcome.context is not None:
            ctx = outcome.context
        failed = ctx.notes.get(FAILED_ATTEMPT) == "1"
        trace.append(TraceStep(name, FAILED_ATTEMPT if failed else "proceed", outcome.detail))
        if failed:
            # Count the failure once: later policies must not see the note as new.
            notes = {k: v for k, v in ctx.notes.items() if k != FAILED_ATTEMPT}
            history = replace(ctx.history, failed_attempts=ctx.history.failed_attempts + 1)
            ctx = replace(ctx, notes=notes, history=history)
        return ctx

    def _team(self, stop_team: str, answer: Answer | None, ctx: TurnContext) -> str:
        return stop_team or (answer.team if answer else "") or ctx.channel.team or self.default_team

    async def _stop(self, ctx: TurnContext, stop: Stop, trace: list[TraceStep], *, answer: Answer | None) -> Decision:
        steps = tuple(trace)
        if stop.language:
            ctx = replace(ctx, language=stop.language)
        match stop.action:
            case StopAction.IGNORE:
                return Ignore(stop.reason, steps, ctx.language)
            case StopAction.REPLY:
                reply = Reply(stop.text, actions=customer_actions(self.phrases, ctx.language, feedback=False))
                return Respond(reply, stop.reason, 0.0, ctx.language, trace=steps)
            case StopAction.ESCALATE:
                key = "handoff_sensitive" if stop.reason.startswith("sensitive:") else "handoff"
                text = "" if stop.quiet else stop.text or self.phrases.say(key, ctx.language)
                handoff = build_handoff(
                    ctx,
                    reason=stop.reason,
                    team=self._team(stop.team, answer, ctx),
                    answer=answer,
                    priority=stop.priority,
                    detail=stop.detail,
                    reported=stop.flag_admins,
                )
                handoff = await summarize_with(self.writer, handoff, transcript(ctx))
                return Escalate(
                    Reply(text),
                    handoff,
                    stop.reason,
                    ctx.language,
                    confidence=answer.confidence if answer else None,
                    articles=answer.articles if answer else (),
                    trace=steps,
                    usage=answer.usage if answer else TokenUsage(),
                )

    async def _deliver(self, ctx: TurnContext, answer: Answer, trace: list[TraceStep]) -> Decision:
        reply = Reply(
            answer.text,
            answer.citations,
            customer_actions(self.phrases, ctx.language),
            self.phrases.say("label_sources", ctx.language),
        )
        mode = ctx.channel.mode
        if mode in (Mode.AI_FIRST, Mode.HYBRID):
            trace.append(TraceStep("mode", "respond", mode.value))
            return Respond(reply, "answered", answer.confidence, ctx.language, answer.articles, tuple(trace), answer.usage)
        reason = mode.value.replace("-", "_")
        trace.append(TraceStep("mode", "draft", mode.value))
        handoff = build_handoff(
            ctx, reason=reason, team=self._team("", answer, ctx), answer=answer, suggestion=reply
        )
        handoff = await summarize_with(self.writer, handoff, transcript(ctx))
        notice_key = "draft_notice" if mode is Mode.PRE_APPROVAL else "handoff"
        notice_text = self.phrases.say(notice_key, ctx.language)
        return Draft(
            suggestion=reply,
            handoff=handoff,
            mode=mode,
            reason=reason,
            language=ctx.language,
            confidence=answer.confidence,
            notice=Reply(notice_text) if notice_text else None,
            articles=answer.articles,
            trace=tuple(trace),
            usage=answer.usage,
        )
