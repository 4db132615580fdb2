"""Language: detect each message's language (offline, restricted to the configured ones) and route languages
without a knowledge base to humans or to the configured fallback.

Detection uses py3langid restricted to `languages.supported` plus the languages we have stock phrases for (so a
customer writing in one of those, without a KB, is told in their language that a person will reply). Short or ambiguous messages ("ok", "agent") keep the
conversation's language unless detection is very confident, so a thread does not flip language on "thanks";
a confident message in another language switches (customers code-switch). The detected language and confidence go
into the context notes and the trace, so every decision carries its language for per-language metrics.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from bot.core.errors import ConfigError
from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import EscalationReason, InboundKind
from policies.config import LanguageConfig

_NOISE = re.compile(r"https?://\S+|<[^>]+>|@\w+|`[^`]*`|[\U0001f000-\U0001faff\u2600-\u27bf]|\d+")


@functools.lru_cache(maxsize=8)
def _model(candidates: tuple[str, ...]) -> Any:
    """py3langid's model restricted to `candidates` (all languages for ()). Loading takes ~0.4 s, so each
    restriction is loaded once per process; the identifier is only read after `set_languages`."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if len(candidates) > 1:
        identifier.set_languages(list(candidates))
    return identifier


@dataclass(slots=True)
class Detector:
    """py3langid restricted to the configured languages, plus `extra` languages recognised only when certain.

    One model ranks all candidates; the supported languages' probabilities are renormalised among themselves, which
    is exactly restricting the classifier to them, so adding `extra` never weakens detection of a supported one.
    """

    languages: tuple[str, ...]
    extra: tuple[str, ...] = ()
    certain: float = 0.99  # an extra language needs this probability among all candidates
    identifier: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        known = set(_model(()).nb_classes)
        unknown = [lang for lang in self.languages if lang not in known]
        if unknown:
            raise ConfigError(
                f"[languages] supported: cannot detect {', '.join(unknown)} (py3langid knows ISO 639-1 codes "
                f"such as {', '.join(sorted(known)[:12])}, ...)"
            )
        self.extra = tuple(lang for lang in self.extra if lang in known and lang not in self.languages)
        self.identifier = _model(tuple(sorted({*self.languages, *self.extra})))

    @property
    def candidates(self) -> tuple[str, ...]:
        return (*self.languages, *self.extra)

    def detect(self, text: str) -> tuple[str, float, int]:
        """(language, confidence 0..1, number of words read). One configured language is always certain."""
        clean = " ".join(_NOISE.sub(" ", text).split())
        n_words = len(clean.split())
        if len(self.candidates) == 1:
            return self.languages[0], 1.0, n_words
        if not any(ch.isalpha() for ch in clean):
            return self.languages[0], 0.0, 0
        ranked = [(str(lang), float(p)) for lang, p in self.identifier.rank(clean)]
        top, top_p = ranked[0]
        if top not in self.languages and top_p >= self.certain:
            return top, top_p, n_words
        supported = [(lang, p) for lang, p in ranked if lang in self.languages]
        total = sum(p for _, p in supported) or 1.0
        return supported[0][0], supported[0][1] / total, n_words


@dataclass(slots=True)
class LanguageDetect:
    """Sets `ctx.language` for this message; never stops a turn."""

    detector: Detector
    config: LanguageConfig
    name: str = "language"

    def decide(self, text: str, current: str) -> tuple[str, str]:
        """(language, how) for a message, given the conversation's current language."""
        detected, confidence, n_words = self.detector.detect(text)
        if n_words == 0:
            return current, "kept (no words)"
        needed = self.config.short_min_confidence if n_words <= self.config.short_words else self.config.min_confidence
        if detected == current:
            return current, f"detected {detected} {confidence:.2f}"
        if confidence >= needed:
            return detected, f"switched to {detected} {confidence:.2f}"
        return current, f"kept {current} (detected {detected} {confidence:.2f} < {needed:.2f})"

    def check(self, ctx: TurnContext) -> Outcome:
        current = ctx.language if ctx.language in self.detector.candidates else self.config.default
        if ctx.inbound.kind is not InboundKind.MESSAGE or not ctx.inbound.text.strip():
            return Proceed(context=replace(ctx, language=current)) if current != ctx.language else Proceed()
        language, how = self.decide(ctx.inbound.text, current)
        notes = MappingProxyType({**ctx.notes, "language": language})
        return Proceed(context=replace(ctx, language=language, notes=notes), detail=how)


@dataclass(slots=True)
class LanguageKnowledge:
    """A language without a knowledge base goes to humans, or to the fallback language's KB (with the button)."""

    kb_languages: frozenset[str]
    phrases: Phrasebook
    fallback: str | None = None
    name: str = "language_kb"

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.language in self.kb_languages:
            return Proceed()
        if self.fallback and self.fallback in self.kb_languages:
            notes = MappingProxyType({**ctx.notes, "language_fallback_from": ctx.language})
            return Proceed(
                context=replace(ctx, language=self.fallback, notes=notes),
                detail=f"no {ctx.language} KB; answering from {self.fallback}",
            )
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.LANGUAGE.value,
            detail=f"no knowledge base in {ctx.language}",
            text=self.phrases.say("language_handoff", ctx.language),
        )
