"""Persona: every AI reply (extractive or LLM) is reshaped into the configured voice before it is sent.

No emojis, no "As an AI" preambles, no corporate openers, banned jargon rewritten or its sentence dropped, and the
length held to 1-2 sentences for simple questions and 3-5 for complex ones (the complexity estimate decides).
Citations travel separately on the `Answer`, so sources are always kept; "Source:" lines in the text are kept too.
Agents' own replies never pass through here: the engine only runs output policies on the AI's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.types import Answer, EscalationReason
from policies.config import PersonaConfig
from policies.text import PhraseMatcher, fold, normalize, sentences

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols & pictographs extended
    "\U0001f1e6-\U0001f1ff"  # flags
    "\u2600-\u27bf"  # misc symbols and dingbats
    "\u2b00-\u2bff"  # stars, arrows used as emoji
    "\u2300-\u23ff"  # watch, hourglass
    "\ufe0f\u200d\u20e3"  # variation selector, joiner, keycap
    "]+"
)
# Text emoticons; "/" is excluded before them so "https://" is never touched.
_EMOTICON = re.compile(r"(?<![\w/:])(?:[:;=8][-'^]?[)(\]\[dDpP|*oO3]+|<3+|\^_+\^|[xX][dD])(?![\w])")
_SOURCE_LINE = re.compile(r"^\s*(sources?|see|read more|more|quelle|quellen|fuente|fuentes|source)\s*:", re.I)


def strip_emojis(text: str) -> str:
    text = _EMOJI.sub("", text)
    text = _EMOTICON.sub("", text)
    text = re.sub(r"[ \t]+([.,!?;:])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def has_emoji(text: str) -> bool:
    return bool(_EMOJI.search(text) or _EMOTICON.search(text))


@dataclass(frozen=True, slots=True)
class PersonaRules:
    """The compiled form of `PersonaConfig`."""

    banned: PhraseMatcher
    replacements: tuple[tuple[re.Pattern[str], str, str], ...]
    openers: tuple[re.Pattern[str], ...]
    preambles: tuple[re.Pattern[str], ...]
    max_simple: int
    max_complex: int
    complex_from: float

    @staticmethod
    def of(config: PersonaConfig) -> PersonaRules:
        swaps = tuple(
            (re.compile(rf"(?<![\w']){re.escape(src)}(?![\w'])", re.I), dst, src)
            for src, dst in sorted(config.replacements.items(), key=lambda kv: -len(kv[0]))
        )
        return PersonaRules(
            banned=PhraseMatcher.of(config.banned_phrases),
            replacements=swaps,
            openers=tuple(re.compile(rf"^\s*(?:{p})\s*", re.I) for p in config.openers),
            preambles=tuple(re.compile(rf"^\s*(?:{p})\s*", re.I) for p in config.preambles),
            max_simple=config.max_sentences_simple,
            max_complex=config.max_sentences_complex,
            complex_from=config.complex_from,
        )

    def limit(self, complexity: float | None) -> int:
        return self.max_complex if (complexity or 0.0) >= self.complex_from else self.max_simple

    def violations(self, text: str, complexity: float | None = None) -> list[str]:
        """What in `text` breaks the persona (empty when it conforms); used by tests and the benchmark."""
        found: list[str] = []
        if has_emoji(text):
            found.append("emoji")
        hit = self.banned.find(normalize(text))
        if hit:
            found.append(f"banned '{hit}'")
        body = [s for s in sentences(text) if not _SOURCE_LINE.match(s)]
        if any(p.match(s) for s in body for p in self.preambles):
            found.append("ai preamble")
        if body and any(p.match(body[0]) for p in self.openers):
            found.append("opener")
        if len(body) > self.limit(complexity):
            found.append(f"{len(body)} sentences > {self.limit(complexity)}")
        return found

    def apply(self, text: str, complexity: float | None) -> tuple[str, list[str]]:
        """The reply in the persona's voice, and what was changed."""
        changes: list[str] = []
        clean = strip_emojis(text)
        if clean != text.strip():
            changes.append("emoji")
        body: list[str] = []
        sources: list[str] = []
        first = True
        for sentence in sentences(clean):
            if _SOURCE_LINE.match(sentence):
                sources.append(sentence)
                continue
            sentence = self._strip(sentence, self.preambles, changes, "preamble")
            if first:
                sentence = self._strip(sentence, self.openers, changes, "opener")
            for pattern, plain, word in self.replacements:
                sentence, n = pattern.subn(plain, sentence)
                if n:
                    changes.append(f"replaced '{word}'")
            if not re.search(r"\w", sentence):
                continue
            if self.banned.find(normalize(sentence)):
                changes.append("dropped banned")
                continue
            body.append(_capitalise(sentence))
            first = False
        limit = self.limit(complexity)
        out = ""
        for _ in range(4):  # joining can create or merge boundaries ("E." + "G."): re-split until it holds
            if len(body) > limit:
                changes.append(f"trimmed {len(body) - limit}")
                body = body[:limit]
            joiner = "\n" if any(_is_list_item(s) for s in body) else " "
            out = joiner.join(body)
            body = [s for s in sentences(out) if not _SOURCE_LINE.match(s)]
            if len(body) <= limit:
                break
        if sources and out:
            out = out + "\n" + "\n".join(sources)
        return out, changes

    @staticmethod
    def _strip(sentence: str, patterns: tuple[re.Pattern[str], ...], changes: list[str], what: str) -> str:
        for _ in range(3):  # openers stack ("Hi there! Thanks for reaching out.") in one sentence at most thrice
            for pattern in patterns:
                match = pattern.match(sentence)
                if match and match.end() > 0:
                    sentence = sentence[match.end() :]
                    changes.append(what)
                    break
            else:
                break
        return sentence.strip()


def _is_list_item(sentence: str) -> bool:
    return bool(re.match(r"^(\d+[.)]|[-*•])\s", sentence))


def _capitalise(sentence: str) -> str:
    sentence = sentence.lstrip(" ,;:-")
    if sentence and sentence[0].islower() and fold(sentence[0]).isalpha():
        return sentence[0].upper() + sentence[1:]
    return sentence


@dataclass(slots=True)
class Persona:
    """Reshapes the AI's answer; an answer with nothing left after enforcement is blocked (`guardrail`)."""

    rules: PersonaRules
    name: str = "persona"

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        text, changes = self.rules.apply(answer.text, ctx.complexity)
        if not text.strip():
            return Stop(StopAction.ESCALATE, EscalationReason.GUARDRAIL.value, detail="persona: nothing left to send")
        if not changes:
            return Proceed()
        return Proceed(answer=replace(answer, text=text), detail="; ".join(dict.fromkeys(changes))[:200])
