"""Language: detect each message's language (offline, restricted to the languages Frontdesk answers in) and route
languages without a knowledge base to humans or to the configured fallback.

The languages answered in are the knowledge base's (every language an ingested customer article is written in);
`[languages] supported`, when set, replaces that list (to narrow it, or to add languages that get the fallback or a
handoff). The languages we have stock phrases for are recognised too, but only when py3langid is certain, so a
customer writing in one of those without a KB is told in their language that a person will reply.

py3langid alone confuses close pairs on short texts (it/es/pt, da/no/sv, nl/de, sr/hr/bs, id/ms, zh/ja). Two priors
steady it: the KB's language mix (a KB that is 90 % Spanish makes "gracias, y el plazo?" Spanish, not Portuguese)
and the thread's language (a customer rarely switches; `thread_prior` times more likely). A message switches the
thread's language only when the posterior of the new language is confident (a higher bar for short messages), so
"ok" or "merci" never flips a thread, while a substantive message in another language does (code-switching: we
answer in the language of the latest substantive message, and the previous one is noted for the handoff card).
The detected language and confidence go into the context notes and the trace, for per-language metrics.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from bot.core.errors import ConfigError
from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import EscalationReason, InboundKind
from policies.config import LanguageConfig
from policies.text import PhraseMatcher, normalize

SWITCHED_FROM = "language_switched_from"
_log = logging.getLogger(__name__)
_SEEN_MAX = 4096
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
    """py3langid restricted to the answered languages, plus `extra` languages recognised only when certain.

    One model ranks all candidates; the answered languages' probabilities are renormalised among themselves, which
    is exactly restricting the classifier to them, so adding `extra` never weakens detection of an answered one.
    `mix` is the share of each answered language in the KB (missing: uniform); it is flattened (`mix_weight`, 0..1)
    so a language with few articles is still detected when the text is clear.
    """

    languages: tuple[str, ...]
    extra: tuple[str, ...] = ()
    certain: float = 0.99  # an extra language needs this probability among all candidates
    mix: Mapping[str, float] = field(default_factory=dict)
    mix_weight: float = 0.5
    markers: Mapping[str, PhraseMatcher] = field(default_factory=dict)  # close-language words, per language
    marker_weight: float = 1.0
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

    def prior(self, language: str) -> float:
        total = sum(self.mix.get(lang, 0.0) for lang in self.languages)
        share = self.mix.get(language, 0.0) / total if total > 0 else 1.0 / len(self.languages)
        return float(share**self.mix_weight)

    def marker_evidence(self, text: str) -> dict[str, float]:
        """`marker_weight` ** (marker words found) per answered language that has markers. py3langid's character
        n-grams barely separate Serbian, Croatian and Bosnian on a short message; the words that differ do
        (ekavian "gde" / ijekavian "gdje", "što" / "šta", "točno" / "tačno", "tjedan" / "sedmica")."""
        if self.marker_weight == 1.0 or not self.markers:
            return {}
        norm = normalize(text)
        out = {}
        for lang in self.languages:
            matcher = self.markers.get(lang)
            if matcher is not None and matcher.regex is not None:
                hits = len(matcher.regex.findall(norm))
                if hits:
                    out[lang] = self.marker_weight ** min(hits, 4)
        return out

    def posterior(self, text: str, thread: str | None = None, thread_prior: float = 1.0) -> list[tuple[str, float]]:
        """Answered languages by probability given the text, the KB mix and the thread's language; [] when the
        text has no letters."""
        clean = " ".join(_NOISE.sub(" ", text).split())
        if not any(ch.isalpha() for ch in clean):
            return []
        ranked = [(str(lang), float(p)) for lang, p in self.identifier.rank(clean)]
        evidence = self.marker_evidence(clean)
        weighted = [
            (lang, p * self.prior(lang) * (thread_prior if lang == thread else 1.0) * evidence.get(lang, 1.0))
            for lang, p in ranked
            if lang in self.languages
        ]
        total = sum(p for _, p in weighted) or 1.0
        return sorted(((lang, p / total) for lang, p in weighted), key=lambda item: -item[1])

    def detect(
        self, text: str, thread: str | None = None, thread_prior: float = 1.0
    ) -> tuple[str, float, int]:
        """(language, confidence 0..1, number of words read). One answered language is always certain; an extra
        language wins only when py3langid is certain of it among all candidates."""
        clean = " ".join(_NOISE.sub(" ", text).split())
        n_words = len(clean.split())
        if len(self.candidates) == 1:
            return self.languages[0], 1.0, n_words
        if not any(ch.isalpha() for ch in clean):
            return thread or self.languages[0], 0.0, 0
        if self.extra:
            top, top_p = self.identifier.rank(clean)[0]
            if top not in self.languages and float(top_p) >= self.certain:
                return str(top), float(top_p), n_words
        if len(self.languages) == 1:
            return self.languages[0], 1.0, n_words
        ranked = self.posterior(clean, thread, thread_prior)
        return ranked[0][0], ranked[0][1], n_words


@dataclass(slots=True)
class LanguageDetect:
    """Sets `ctx.language` for this message; never stops a turn."""

    detector: Detector
    config: LanguageConfig
    default: str = ""  # the language of a thread before its first words (config.default when it is answered)
    seen: dict[str, str] = field(default_factory=dict, repr=False)  # earlier text -> its language ("" if unclear)
    name: str = "language"

    def __post_init__(self) -> None:
        if not self.default:
            self.default = self.config.default

    def decide(self, text: str, current: str, *, first: bool = False) -> tuple[str, str]:
        """(language, how) for a message, given the conversation's current language; the `first` message of a
        thread has no language to keep, so its detection stands."""
        thread, prior = (None, 1.0) if first else (current, self.config.thread_prior)
        detected, confidence, n_words = self.detector.detect(text, thread, prior)
        if n_words == 0:
            return current, "kept (no words)"
        if first:
            return detected, f"detected {detected} {confidence:.2f}"
        needed = self.config.short_min_confidence if n_words <= self.config.short_words else self.config.min_confidence
        if detected == current:
            return current, f"detected {detected} {confidence:.2f}"
        if confidence >= needed:
            return detected, f"switched to {detected} {confidence:.2f}"
        return current, f"kept {current} (detected {detected} {confidence:.2f} < {needed:.2f})"

    def earlier_languages(self, texts: tuple[str, ...], last: int = 5) -> set[str]:
        """Languages of the thread's earlier substantive messages (the last few), for the handoff card. Each text
        is read once: a thread's earlier messages come back on every turn (bounded cache)."""
        found = set()
        for text in texts[-last:]:
            if text not in self.seen:
                language, confidence, n_words = self.detector.detect(text)
                substantive = n_words > self.config.short_words and confidence >= self.config.min_confidence
                self.seen[text] = language if substantive else ""
                if len(self.seen) > _SEEN_MAX:
                    self.seen.pop(next(iter(self.seen)))
            if self.seen[text]:
                found.add(self.seen[text])
        return found

    def check(self, ctx: TurnContext) -> Outcome:
        current = ctx.language if ctx.language in self.detector.candidates else self.default
        if ctx.inbound.kind is not InboundKind.MESSAGE or not ctx.inbound.text.strip():
            return Proceed(context=replace(ctx, language=current)) if current != ctx.language else Proceed()
        language, how = self.decide(ctx.inbound.text, current, first=ctx.history.language is None)
        notes = {**ctx.notes, "language": language}
        earlier = self.earlier_languages(ctx.history.customer_texts) - {language}
        if language != current and ctx.history.customer_texts:
            earlier.add(current)
        if earlier:
            notes[SWITCHED_FROM] = ", ".join(sorted(earlier))  # the handoff card names every language of the thread
        return Proceed(context=replace(ctx, language=language, notes=MappingProxyType(notes)), detail=how)


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


def language_step(
    config: LanguageConfig,
    kb_languages: frozenset[str],
    extra: frozenset[str],
    kb_mix: Mapping[str, float] | None = None,
) -> LanguageDetect:
    """The detection step: answered languages are `config.supported` when set, else the KB's languages that
    py3langid knows (a KB with none yet answers in `config.default`); `extra` are recognised only when certain."""
    mix = dict(kb_mix or {})
    if config.supported:
        answered = tuple(config.supported)
    else:
        known = set(_model(()).nb_classes)
        answered = tuple(sorted(lang for lang in kb_languages if lang in known)) or (config.default,)
        unknown = sorted(lang for lang in kb_languages if lang not in known)
        if unknown:
            _log.warning("articles in %s: no language detector for these codes; use ISO 639-1", ", ".join(unknown))
    if config.default in answered:
        default = config.default
    else:
        default = max(answered, key=lambda lang: (mix.get(lang, 0.0), lang == answered[0]))
    markers = {lang: PhraseMatcher.of(words) for lang, words in config.markers.items() if lang in answered}
    detector = Detector(
        answered, tuple(sorted(extra)), config.short_min_confidence, mix, markers=markers, marker_weight=config.marker_weight
    )
    return LanguageDetect(detector, config, default)
