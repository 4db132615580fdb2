"""Escalation rules: a person on request, never a third AI try, no answer without knowledge or confidence.

Input steps: `HumanRequest` (the button, or typed "agent" / "human please" in every supported language) and
`FailedAttempts` (a "Not helpful" click, a typed "that didn't help", or the same question asked again). Output
steps: `Relevance` (nothing relevant in the KB → `no_knowledge`) and `Confidence` (below the channel's threshold →
`low_confidence`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import Answer, EscalationReason, InboundKind
from policies.demotion import DEMOTED_NOTE
from policies.routing import noted_team, thread_team
from policies.text import PhraseMatcher, normalize, similarity

FAILED_ATTEMPT_NOTE = "failed_attempt"  # the engine turns this note into a counted failure (bot.orchestration.engine)
FAILURE_NOTE = "failure"  # why this turn counts as a failed attempt
UNANSWERED_NOTE = "unanswered_failure"  # a bare "that didn't help" before any AI answer: the small-talk step asks
SHORT_MESSAGE_WORDS = 4  # one-word phrases ("agent") only count in messages this short
REASK_MIN_WORDS = 3  # a re-ask is a question: shorter messages ("hi", "ok thanks") never count as one


@dataclass(frozen=True, slots=True)
class LanguagePhrases:
    """Per-language phrase matchers, split into one-word entries (short messages only) and longer phrases."""

    single: Mapping[str, PhraseMatcher]
    multi: Mapping[str, PhraseMatcher]

    @staticmethod
    def of(table: Mapping[str, list[str]]) -> LanguagePhrases:
        single = {lang: PhraseMatcher.of(p for p in items if " " not in normalize(p)) for lang, items in table.items()}
        multi = {lang: PhraseMatcher.of(p for p in items if " " in normalize(p)) for lang, items in table.items()}
        return LanguagePhrases(MappingProxyType(single), MappingProxyType(multi))

    def find(self, text: str, language: str, *, fallback: str = "en") -> str | None:
        """A matching phrase in the message's language or the fallback language (customers code-switch)."""
        norm = normalize(text)
        if not norm:
            return None
        short = len(norm.split()) <= SHORT_MESSAGE_WORDS
        for lang in dict.fromkeys((language, fallback)):
            hit = self.multi[lang].find(norm) if lang in self.multi else None
            if hit is None and short and lang in self.single:
                hit = self.single[lang].find(norm)
            if hit is not None:
                return hit
        return None

    def strip(self, text: str, language: str, *, fallback: str = "en") -> list[str]:
        """The words of `text` left once every phrase (of `language` and the fallback) is taken out."""
        norm = normalize(text)
        for lang in dict.fromkeys((language, fallback)):
            for table in (self.multi, self.single):
                matcher = table.get(lang)
                if matcher is not None and matcher.regex is not None:
                    norm = matcher.regex.sub(" ", norm)
        return norm.split()


@dataclass(slots=True)
class HumanRequest:
    """The "Talk to a human" button or a typed request for a person → `asked_for_human`."""

    phrases: LanguagePhrases
    name: str = "human_request"

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.inbound.kind is InboundKind.HUMAN_REQUEST:
            return Stop(
                StopAction.ESCALATE, EscalationReason.ASKED_FOR_HUMAN.value, detail="button", team=thread_team(ctx)
            )
        if ctx.inbound.kind is InboundKind.MESSAGE:
            hit = self.phrases.find(ctx.inbound.text, ctx.language)
            if hit is not None:
                return Stop(
                    StopAction.ESCALATE,
                    EscalationReason.ASKED_FOR_HUMAN.value,
                    detail=f"typed '{hit}'",
                    team=thread_team(ctx),
                )
        return Proceed()


@dataclass(slots=True)
class FailedAttempts:
    """Counts failed AI attempts; at `max_failed` the AI never tries again (`repeated_failure`).

    `ctx.history.failed_attempts` already includes a "Not helpful" click (the dispatcher counts it before the
    engine runs); a typed failure or a re-ask is detected here and reported through the `failed_attempt` note.
    """

    phrases: LanguagePhrases
    phrasebook: Phrasebook
    max_failed: int = 2
    reask_similarity: float = 0.8
    fillers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # words around a bare failure
    name: str = "failed_attempts"

    def check(self, ctx: TurnContext) -> Outcome:
        failures = ctx.history.failed_attempts
        if ctx.inbound.kind is InboundKind.NOT_HELPFUL:
            if failures >= self.max_failed:
                return Stop(
                    StopAction.ESCALATE,
                    EscalationReason.REPEATED_FAILURE.value,
                    detail=f"failures={failures}",
                    team=thread_team(ctx),
                )
            return Stop(
                StopAction.REPLY, "clarify", detail="not helpful", text=self.phrasebook.say("clarify", ctx.language)
            )
        if ctx.inbound.kind is not InboundKind.MESSAGE:
            return Proceed()
        if ctx.history.human_replied:
            return self._after_a_person(ctx)
        if ctx.history.ai_answers == 0:
            return self._before_any_answer(ctx)
        why = self._failure(ctx)
        if why is None:
            return Proceed()
        if failures + 1 >= self.max_failed:
            return Stop(
                StopAction.ESCALATE,
                EscalationReason.REPEATED_FAILURE.value,
                detail=f"{why}; failures={failures + 1}",
                team=thread_team(ctx),
            )
        if not why.startswith("re-asked") and self.bare(ctx.inbound.text, ctx.language):
            # Nothing new to search for ("still broken"): ask for detail, like a first "Not helpful" click.
            text = self.phrasebook.say("clarify", ctx.language)
            return Stop(StopAction.REPLY, "clarify", detail=why, text=text, failed_attempt=True)
        # FAILURE_NOTE outlives the engine's one-shot failed_attempt note: the sensitive step reads it.
        notes = {**ctx.notes, FAILED_ATTEMPT_NOTE: "1", FAILURE_NOTE: why}
        return Proceed(context=replace(ctx, notes=MappingProxyType(notes)), detail=why)

    def bare(self, text: str, language: str) -> bool:
        """Only a failure ("no, that didn't help"), nothing to ask about ("SSO doesn't work" is a question)."""
        if self.phrases.find(text, language) is None:
            return False
        allowed = self.fillers.get(language, frozenset()) | self.fillers.get("en", frozenset())
        return all(word in allowed for word in self.phrases.strip(text, language))

    def _after_a_person(self, ctx: TurnContext) -> Outcome:
        """A person answered last (then resolved or handed back): "still broken" is about their fix, so it goes
        back to a person instead of the AI asking "could you tell me more?" or searching the KB."""
        hit = self.phrases.find(ctx.inbound.text, ctx.language)
        if hit is None:
            return Proceed()
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.ASKED_FOR_HUMAN.value,
            detail=f"typed '{hit}' after a person's reply",
            team=thread_team(ctx),
        )

    def _before_any_answer(self, ctx: TurnContext) -> Outcome:
        """Nothing the AI said can have failed, so nothing counts. A bare "that didn't help" gets "what do you
        need?" (from the small-talk step, after the VIP and rollout rules); said again, a person takes over."""
        hit = self.phrases.find(ctx.inbound.text, ctx.language)
        if hit is None or not self.bare(ctx.inbound.text, ctx.language):
            return Proceed()  # "SSO doesn't work, this is awful" is a question (or a complaint), not about the AI
        if any(self.bare(text, ctx.language) for text in ctx.history.customer_texts):
            return Stop(
                StopAction.ESCALATE,
                EscalationReason.ASKED_FOR_HUMAN.value,
                detail=f"typed '{hit}' again before any answer",
                team=thread_team(ctx),
            )
        # The failure note keeps the sentiment trigger from reading a bare "no, that didn't help" as a complaint.
        notes = {**ctx.notes, FAILURE_NOTE: f"typed '{hit}'", UNANSWERED_NOTE: hit}
        return Proceed(context=replace(ctx, notes=MappingProxyType(notes)), detail=f"typed '{hit}' before any answer")

    def _failure(self, ctx: TurnContext) -> str | None:
        text = ctx.inbound.text
        hit = self.phrases.find(text, ctx.language)
        if hit is not None:
            return f"typed '{hit}'"
        if len(normalize(text).split()) < REASK_MIN_WORDS:
            return None  # "hi" or "ok" twice is not the same question asked again
        for earlier in ctx.history.customer_texts[-3:]:
            if len(normalize(earlier).split()) < REASK_MIN_WORDS:
                continue
            score = similarity(text, earlier)
            if score >= self.reask_similarity:
                return f"re-asked (overlap {score:.2f})"
        return None


@dataclass(slots=True)
class Acknowledgement:
    """A plain "thanks" / "ok" / 👍 is not a question: the AI stays quiet instead of searching the KB for it."""

    words: Mapping[str, frozenset[str]]
    fillers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # around a thanks, never one alone
    name: str = "acknowledgement"

    @staticmethod
    def of(table: Mapping[str, list[str]], fillers: Mapping[str, list[str]] | None = None) -> Acknowledgement:
        def folded(t: Mapping[str, list[str]]) -> Mapping[str, frozenset[str]]:
            return MappingProxyType({lang: frozenset(normalize(w) for w in ws) for lang, ws in t.items()})

        return Acknowledgement(folded(table), folded(fillers or {}))

    @property
    def all_words(self) -> frozenset[str]:
        return frozenset().union(*self.words.values())

    def check(self, ctx: TurnContext) -> Outcome:
        text = ctx.inbound.text
        if ctx.inbound.kind is not InboundKind.MESSAGE or not text.strip() or "?" in text:
            return Proceed()
        if ctx.sentiment is not None and ctx.sentiment < -0.05:
            return Proceed()  # "ok 😡" is not a thank-you
        tokens = normalize(text).split()
        # Every language's words: a German "Danke!" in an English thread is a thanks too (too short to switch).
        known = self.all_words
        around = self.fillers.get(ctx.language, frozenset()) | self.fillers.get("en", frozenset())
        thanks = [t for t in tokens if t in known]
        if thanks and len(tokens) <= 10 and all(t in known or t in around for t in tokens):
            return Stop(StopAction.IGNORE, "acknowledged", detail=" ".join(tokens))
        if not tokens and len(text.strip()) <= 12 and self._acknowledges(ctx):  # e.g. "👍" or "🙏🙏" after an answer
            return Stop(StopAction.IGNORE, "acknowledged", detail="emoji")
        return Proceed()

    @staticmethod
    def _acknowledges(ctx: TurnContext) -> bool:
        """A wordless message thanks only for something said before, and only with a symbol or a smile: a lone
        "..." or a 👋 opening a thread wants a reply (the small-talk step's `no_words`)."""
        if not (ctx.history.ai_answers or ctx.history.customer_texts):
            return False
        symbol = any(unicodedata.category(ch).startswith("S") for ch in ctx.inbound.text)
        return symbol or (ctx.sentiment or 0.0) > 0.05


@dataclass(slots=True)
class Relevance:
    """Nothing in the KB clears the relevance floor: a first-time issue goes to a person, not an unrelated article."""

    default_team: str = "support"
    name: str = "relevance"

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        if not answer.relevant or not answer.text.strip():
            # The best (irrelevant) article's team says nothing about who should answer: use the question's topic.
            team = noted_team(ctx) or ctx.channel.team or self.default_team
            return Stop(StopAction.ESCALATE, EscalationReason.NO_KNOWLEDGE.value, team=team)
        return Proceed()


@dataclass(slots=True)
class Confidence:
    """Calibrated confidence below the channel's threshold → `low_confidence`."""

    name: str = "confidence"

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        if answer.confidence < ctx.channel.threshold:
            detail = f"{answer.confidence:.2f} < {ctx.channel.threshold:.2f}"
            demoted = ctx.notes.get(DEMOTED_NOTE)  # say why it fell short
            return Stop(
                StopAction.ESCALATE,
                EscalationReason.LOW_CONFIDENCE.value,
                detail=f"{detail}; {demoted}" if demoted else detail,
            )
        return Proceed()
