"""The stock sentences customers see (handoff notices, clarifying prompts, button labels, the sources heading,
CSAT, opt-out), per language: 21 languages ship, each written as a native speaker would say it to a customer.

Loaded from `policies/defaults/phrases.toml`; a language without phrases falls back to the default language, so a
customer always gets a sentence, and a missing key is a programming error that names the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policies.defaults import shipped

REQUIRED_KEYS = frozenset(
    {
        "handoff",
        "handoff_sensitive",
        "draft_notice",
        "claimed",
        "handed_back",
        "resolved_csat",
        "ask_csat",  # the same 1-5 question when an AI-only conversation ends (scheduler/csat.py)
        "clarify",
        "label_helpful",
        "label_not_helpful",
        "label_human",
        "vip_handoff",
        "routing_handoff",
        "language_handoff",
        "greeting",
        "no_words",
        "label_sources",  # the heading above an answer's cited articles
        "no_ai_confirmed",  # the customer asked for no AI answers
        "label_no_ai",  # the button for it
    }
)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:  # an unfilled placeholder is left visible, never a crash
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Phrases:
    """A `Phrasebook`: `say(key, language, **values)`."""

    table: Mapping[str, Mapping[str, str]]
    default_language: str = "en"

    def __post_init__(self) -> None:
        if self.default_language not in self.table:
            raise ValueError(f"phrases: no phrases for the default language '{self.default_language}'")
        for language, entries in self.table.items():
            missing = REQUIRED_KEYS - set(entries)
            if missing:
                raise ValueError(f"phrases.{language}: missing {', '.join(sorted(missing))}")

    @staticmethod
    def shipped(default_language: str = "en") -> Phrases:
        raw = shipped("phrases")
        table = {lang: MappingProxyType(dict(entries)) for lang, entries in raw.items()}
        return Phrases(MappingProxyType(table), default_language if default_language in table else "en")

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.table)

    def say(self, key: str, language: str, **values: str) -> str:
        entries = self.table.get(language) or self.table.get((language or "").split("-")[0].lower())
        if entries is None:
            entries = self.table[self.default_language]
        if key not in entries:
            raise KeyError(f"no phrase '{key}' (known: {', '.join(sorted(REQUIRED_KEYS))})")
        return entries[key].format_map(_Blank(values))
