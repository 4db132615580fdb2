"""Persona: every AI reply (extractive or LLM) is reshaped into the configured voice before it is sent.

No emojis, no "As an AI" preambles, no corporate openers, banned jargon rewritten or its sentence dropped, and the
length held to 1-2 sentences for simple questions and 3-5 for complex ones (the complexity estimate decides). A list of
steps, with the sentence introducing it, counts as one: cutting a procedure after step 2 is worse than not sending it.
Citations travel separately on the `Answer`, so sources are always kept; "Source:" lines in the text are kept too.
Agents' own replies never pass through here: the engine only runs output policies on the AI's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.core.types import Answer, EscalationReason
from policies.config import PersonaConfig
from policies.text import LIST_MARKER, PhraseMatcher, fold, is_list_item, normalize, sentences

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
_SOURCE_LINE = re.compile(
    r"^\s*(sources?|see|read more|more|quelle|quellen|mehr( dazu)?|fuentes?|m[aá]s( informaci[oó]n)?)\s*:", re.I
)


def strip_emojis(text: str) -> str:
    text = _EMOJI.sub("", text)
    text = _EMOTICON.sub("", text)
    text = re.sub(r"[ \t]+([.,!?;:])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def has_emoji(text: str) -> bool:
    return bool(_EMOJI.search(text) or _EMOTICON.search(text))


@dataclass(frozen=True, slots=True)
class _Segment:
    """One sentence of a reply, or one list item (its marker kept apart so rewriting never touches it)."""

    text: str
    marker: str = ""  # "1." / "-" for list items, "" for a prose sentence


def _segments(text: str) -> tuple[list[_Segment], list[str]]:
    """A reply's sentences and list items in order, and its "Source:"/"More:" lines (kept, never counted)."""
    segments: list[_Segment] = []
    sources: list[str] = []
    for line in text.splitlines():
        match = LIST_MARKER.match(line)
        if match and is_list_item(line):
            body = line[match.end() :].strip()
            segments.append(_Segment(body, match.group(0).strip()))
            continue
        for sentence in sentences(line):
            if _SOURCE_LINE.match(sentence):
                sources.append(sentence)
            else:
                segments.append(_Segment(sentence))
    return segments, sources


def _units(segments: list[_Segment]) -> list[list[_Segment]]:
    """What the length limit counts: each prose sentence is one unit; a list, with the sentence ending in ":" that
    introduces it, is one unit. Trimming removes whole units, so a procedure is never cut after step 2."""
    units: list[list[_Segment]] = []
    for seg in segments:
        if seg.marker and units and (units[-1][-1].marker or units[-1][-1].text.endswith(":")):
            units[-1].append(seg)  # next item of the same list, or the first item after its intro
        else:
            units.append([seg])
    return units


def _render(units: list[list[_Segment]]) -> str:
    """Prose sentences share a line; every list item gets its own line (adapters render them as lists)."""
    lines: list[str] = []
    prose: list[str] = []
    for unit in units:
        for seg in unit:
            if seg.marker:
                if prose:
                    lines.append(" ".join(prose))
                    prose = []
                lines.append(f"{seg.marker} {seg.text}")
            else:
                prose.append(seg.text)  # after a list, this starts a new line
    if prose:
        lines.append(" ".join(prose))
    return "\n".join(lines)


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
            openers=tuple(re.compile(rf"^\s*(?:{p})", re.I) for p in config.openers),
            preambles=tuple(re.compile(rf"^\s*(?:{p})", re.I) for p in config.preambles),
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
        segments, _ = _segments(text)
        body = [sent for seg in segments for sent in _item_sentences(seg)]
        hit = next((h for s in body if (h := self.banned.find(normalize(s)))), None)
        if hit:
            found.append(f"banned '{hit}'")
        if any(p.match(s) for s in body for p in self.preambles):
            found.append("ai preamble")
        if body and any(p.match(body[0]) for p in self.openers):
            found.append("opener")
        units = len(_units(segments))
        if units > self.limit(complexity):
            found.append(f"{units} sentences > {self.limit(complexity)}")
        return found

    def apply(self, text: str, complexity: float | None) -> tuple[str, list[str]]:
        """The reply in the persona's voice, and what was changed.

        Reshaping can itself create something to fix (dropping "As an AI," can leave a sentence that now starts
        with an opener; re-splitting joined text can expose a new sentence), so it runs to a fixed point: the
        output is reshaped again until nothing changes. That makes `violations(apply(x)) == []` hold by design.
        """
        changes: list[str] = []
        out = text
        for _ in range(6):
            again, step = self._apply_once(out, complexity)
            changes.extend(step)
            if again == out or not step:
                out = again
                break
            out = again
        return out, changes

    def _apply_once(self, text: str, complexity: float | None) -> tuple[str, list[str]]:
        changes: list[str] = []
        clean = strip_emojis(text)
        if clean != text.strip():
            changes.append("emoji")
        segments, sources = _segments(clean)
        kept: list[_Segment] = []
        first = True
        for seg in segments:
            parts: list[str] = []
            for sentence in _item_sentences(_Segment(seg.text)):
                rewritten = self._sentence(sentence, first and not parts, changes)
                if rewritten is not None:
                    parts.append(rewritten)
            if not parts:
                continue
            kept.append(_Segment(" ".join(parts), seg.marker))
            first = False
        units = _units(kept)
        limit = self.limit(complexity)
        if len(units) > limit:
            changes.append(f"trimmed {len(units) - limit}")
            units = units[:limit]
            if units and not units[-1][-1].marker and units[-1][-1].text.endswith(":"):
                units = units[:-1]  # an intro whose list was trimmed away introduces nothing
        out = _render(units)
        if sources and out:
            out = out + "\n" + "\n".join(sources)
        if out != text and not changes:
            changes.append("layout")  # only spacing or line breaks moved
        return out, changes

    def _sentence(self, sentence: str, first: bool, changes: list[str]) -> str | None:
        """One sentence reshaped, or None when nothing of it may be sent."""
        stripped = self._strip(sentence, self.preambles, changes, "preamble")
        if stripped is not None and first:
            stripped = self._strip(stripped, self.openers, changes, "opener")
        if stripped is None:
            return None
        sentence = stripped
        for pattern, plain, word in self.replacements:
            sentence, n = pattern.subn(plain, sentence)
            if n:
                changes.append(f"replaced '{word}'")
        if not re.search(r"\w", sentence):
            return None
        if self.banned.find(normalize(sentence)):
            changes.append("dropped banned")
            return None
        return _capitalise(sentence)

    @staticmethod
    def _strip(sentence: str, patterns: tuple[re.Pattern[str], ...], changes: list[str], what: str) -> str | None:
        """`sentence` without the openers/preambles it starts with; None when one cannot be cut off cleanly.

        A match must end at whitespace or the end of the sentence: "AS AN AI:E.G. …" would otherwise lose
        "AS AN AI:E." and keep "G. …", a fragment that re-splits into new sentences (one starting "AS AN AI").
        Such a sentence is dropped whole instead.
        """
        for _ in range(3):  # openers stack ("Hi there! Thanks for reaching out.") in one sentence at most thrice
            for pattern in patterns:
                match = pattern.match(sentence)
                if not match or match.end() == 0:
                    continue
                end = _clean_end(sentence, pattern)
                changes.append(what)
                if end is None:
                    return None
                sentence = sentence[end:].strip()
                break
            else:
                break
        return sentence.strip()


def _clean_end(sentence: str, pattern: re.Pattern[str]) -> int | None:
    """Where the longest match of `pattern` that ends at whitespace (or the end) stops, or None if none does."""
    bounded = re.compile(rf"(?:{pattern.pattern})(?=\s|$)", pattern.flags)
    match = bounded.match(sentence)
    return match.end() if match and match.end() > 0 else None


def _item_sentences(seg: _Segment) -> list[str]:
    return sentences(seg.text) if seg.text else []


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
