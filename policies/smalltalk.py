"""Small talk: a greeting ("hi", "Guten Tag"), an introduction ("Hi, I'm Dana from Acme"), a farewell ("bye!") or
a message with no words ("...", a lone 👋) is not a question.

Searching the knowledge base for "hello there" finds nothing relevant and hands a greeting to a person. Instead the
AI answers a greeting with one short "How can I help?" in the customer's language (the "Talk to a human" button
stays under it) and lets a farewell end the conversation quietly. A message counts only when it is *nothing but*
greetings (or farewells) and filler words ("hi team", "Hola a todos"), so "hi, how do I reset my password?" is
still a question.

A greeting that only one language uses ("Guten Tag", "Hola") sets the thread's language however short it is:
detection rightly refuses to switch on two words, but a greeting list is certain. A wordless message gets the
prompt once; a second one in a row stays quiet rather than repeat it. A negative one ("😡") is left to the
sensitive step, and an emoji that acknowledges an answer (👍) to the acknowledgement step, which runs first.
A bare "that didn't help" before the AI has answered anything (noted by the failed-attempts step) gets the same
treatment: "could you tell me what you need?". In agent-first and parallel channels agents do the talking, so what
would get a prompt goes to them with the channel's mode as the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import InboundKind, Mode
from policies.config import SmallTalkConfig
from policies.escalation import UNANSWERED_NOTE
from policies.introductions import Introductions
from policies.routing import noted_team
from policies.text import PhraseMatcher, normalize

GREETING = "greeting"
NO_WORDS = "no_words"
FAREWELL = "farewell"
AGENTS_ANSWER = (Mode.AGENT_FIRST, Mode.PARALLEL)  # agents greet their customers themselves: hand it over
NEGATIVE = -0.05  # a wordless message scoring below this is not small talk ("😡", "🙄")


@dataclass(frozen=True, slots=True)
class Greetings:
    """Per-language greeting and farewell phrases and the filler words that may surround them."""

    greetings: Mapping[str, PhraseMatcher]
    farewells: Mapping[str, PhraseMatcher]
    fillers: Mapping[str, frozenset[str]]
    introductions: Introductions = Introductions(MappingProxyType({}))

    @staticmethod
    def of(config: SmallTalkConfig) -> Greetings:
        def matchers(table: Mapping[str, list[str]]) -> Mapping[str, PhraseMatcher]:
            return MappingProxyType({lang: PhraseMatcher.of(items) for lang, items in table.items()})

        fillers = {lang: frozenset(w for item in items for w in normalize(item).split())
                   for lang, items in config.fillers.items()}
        intros = Introductions.of(config.introductions, config.organisation_words)
        return Greetings(matchers(config.greetings), matchers(config.farewells), MappingProxyType(fillers), intros)

    def introduced(self, text: str) -> tuple[str, ...]:
        """The languages in which `text` is an introduction ("Hi, I'm Dana from Acme"), greeting or not."""
        return tuple(
            language
            for language, before in self.introductions.matches(text)
            if not normalize(before) or self.languages_of(before)
        )

    def languages_of(self, text: str, *, farewell: bool = False) -> tuple[str, ...]:
        """The languages in which `text` is nothing but greetings (or farewells) and fillers; () when none."""
        norm = normalize(text)
        found: list[str] = []
        for language, matcher in (self.farewells if farewell else self.greetings).items():
            if matcher.regex is None:
                continue
            rest = matcher.regex.sub(" ", norm)
            if rest == norm:
                continue  # no greeting at all: "team" alone is not one
            fillers = self.fillers.get(language, frozenset())
            if all(word in fillers for word in rest.split()):
                found.append(language)
        return tuple(found)


@dataclass(slots=True)
class SmallTalk:
    """Greetings → `greeting`, wordless messages → `no_words`: a short prompt; farewells → `farewell`: quiet."""

    greetings: Greetings
    phrases: Phrasebook
    languages: frozenset[str]  # the languages a greeting may switch the thread to (detectable, with phrases)
    enabled: bool = True
    name: str = "smalltalk"

    def check(self, ctx: TurnContext) -> Outcome:
        outcome = self._decide(ctx)
        if isinstance(outcome, Stop) and outcome.action is StopAction.REPLY and ctx.channel.mode in AGENTS_ANSWER:
            # Agents do the talking here: hand it to them as this mode does with every message, instead of letting
            # "hi" reach the knowledge base and be handed off as a knowledge gap (`no_knowledge`).
            return Stop(
                StopAction.ESCALATE,
                ctx.channel.mode.value.replace("-", "_"),
                detail=f"{outcome.reason}: agents answer in this channel",
                team=noted_team(ctx),
                language=outcome.language,
            )
        return outcome

    def _decide(self, ctx: TurnContext) -> Outcome:
        text = ctx.inbound.text
        if ctx.inbound.kind is not InboundKind.MESSAGE or not text.strip():
            return Proceed()
        if UNANSWERED_NOTE in ctx.notes:  # noted by the failed-attempts step: "that didn't help" before any answer
            return Stop(
                StopAction.REPLY, "clarify", detail="nothing answered yet", text=self.phrases.say("clarify", ctx.language)
            )
        if not self.enabled:
            return Proceed()
        if not normalize(text):
            return self._no_words(ctx)
        found = self.greetings.languages_of(text) or self.greetings.introduced(text)
        if not found:
            if self.greetings.languages_of(text, farewell=True):
                return Stop(StopAction.IGNORE, FAREWELL, detail="the customer is leaving")
            return Proceed()
        language = self.language(found, ctx.language)
        return Stop(
            StopAction.REPLY,
            GREETING,
            detail=f"{language}{'' if language == ctx.language else f' (was {ctx.language})'}",
            text=self.phrases.say(GREETING, language),
            language=language,
        )

    def language(self, found: tuple[str, ...], current: str) -> str:
        """Keep the current language when the greeting is one of its own; switch only when exactly one fits."""
        candidates = [lang for lang in found if lang in self.languages]
        if current in found or len(candidates) != 1:
            return current
        return candidates[0]

    def _no_words(self, ctx: TurnContext) -> Outcome:
        if ctx.sentiment is not None and ctx.sentiment < NEGATIVE:
            return Proceed()
        earlier = ctx.history.customer_texts
        if earlier and not normalize(earlier[-1]):
            return Stop(StopAction.IGNORE, NO_WORDS, detail="twice in a row")
        return Stop(StopAction.REPLY, NO_WORDS, text=self.phrases.say(NO_WORDS, ctx.language))
