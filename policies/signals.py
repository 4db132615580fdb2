"""Signals read from every customer message before any decision: sentiment and a complexity estimate.

Complexity (0 simple .. 1 complex) drives persona length limits and hybrid routing. It is a transparent heuristic:
length, several questions or asks in one message, multi-step or troubleshooting vocabulary, technical detail
(error codes, code, URLs, numbers); each adds a bounded amount, so an admin can predict where a message lands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.ports import Outcome, Proceed, TurnContext
from bot.core.types import InboundKind
from policies.sentiment import Sentiment
from policies.text import normalize

_STEPS = re.compile(
    r"\b(migrat\w*|integrat\w*|configur\w*|set ?up|setup|troubleshoot\w*|debug\w*|architect\w*|"
    r"intermittent\w*|sometimes|randomly|after (we|i) (upgraded|changed|moved)|compare|difference between|"
    r"best way|strategy|workflow|multiple|several|both|each of|step by step|"
    r"einricht\w*|konfigur\w*|migrier\w*|configurar|migrar|integrar|varios|varias|mehrere)\b"
)
_ASKS = re.compile(r"\b(and|also|plus|as well|additionally|then|und|auch|y|tambien|et|aussi|e|anche|ademas)\b")
_TECH = re.compile(
    r"(`[^`]+`|\b\d{3}\b|\berror\b|\bexception\b|\bstack ?trace\b|https?://|\{|\}|\bapi\b|\bsdk\b|\bssl\b|\btls\b)"
)


def complexity(text: str) -> float:
    norm = normalize(text)
    n_words = len(norm.split())
    if n_words == 0:
        return 0.0
    score = min(n_words / 60.0, 0.4)
    questions = text.count("?")
    score += 0.15 * min(max(questions - 1, 0), 2)
    score += 0.08 * min(len(_ASKS.findall(norm)), 3) if n_words > 12 else 0.0
    score += 0.12 * min(len(_STEPS.findall(norm)), 2)
    score += 0.08 * min(len(_TECH.findall(text.lower())), 2)
    sentences = len([s for s in re.split(r"[.!?\n]+", text) if s.strip()])
    score += 0.05 * min(max(sentences - 2, 0), 3)
    return round(min(score, 1.0), 3)


@dataclass(slots=True)
class Signals:
    """Adds sentiment and complexity to the context; never stops a turn."""

    sentiment: Sentiment
    name: str = "signals"

    def check(self, ctx: TurnContext) -> Outcome:
        if ctx.inbound.kind is not InboundKind.MESSAGE:
            return Proceed()
        text = ctx.inbound.text
        score = self.sentiment.score(text, ctx.language)
        level = complexity(text)
        detail = f"sentiment={score if score is None else round(score, 2)} complexity={level:.2f}"
        return Proceed(context=replace(ctx, sentiment=score, complexity=level), detail=detail)
