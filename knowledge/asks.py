"""What shape of answer a question asks for: steps (a how-to), a place (where do I ...), or a fact (is / how
many / can an X be ...). Shared by section choice and reply composition, so both read a question the same way."""

from __future__ import annotations

import re

# Question openings that ask for a procedure: the section's steps are the answer, not its first sentence.
_HOW = re.compile(
    r"^\W*(how (do|can|to|should|would)|what do i|what are the steps|steps|"
    r"can (i|we) (switch|set|turn|add|change|move|connect|create|get)|"
    r"wie (kann|können|erstelle|richte|ändere|aktiviere|lösche|füge)|was muss|cómo|como (puedo|activo|creo|cambio))\b",
    re.I,
)
_HOW_ANYWHERE = re.compile(
    r"\b(how (do|can|to|should)|steps?|wie (kann|erstelle|richte)|cómo)\b",
    re.I,
)

# "Where do I put the new card?": within a section that has steps, the steps say where.
WHERE = re.compile(r"\b(where (do|can|should) (i|we)|wo (kann|finde|muss) ich|dónde (puedo|pongo|cambio))\b", re.I)
# Questions about a fact ("can an endpoint be plain HTTP?", "what characters are allowed?"), not a request to do
# something ("can we switch to yearly", "how do I ...").
_FACT = re.compile(
    r"^\W*(is|are|does|do|can|could|will|would|what|which|how (many|much|long|big|often)|why|"
    r"gibt es|ist|sind|kann|welche|was|wie (lange|viel|viele)|es|son|puede|cuánto|cuántos|cuál|qué|por qué)\b",
    re.I,
)
_OWN_ACTION = re.compile(r"^\W*(can|could|do|should|kann|können|puedo|podemos) (i|we|ich|wir)\b", re.I)


def asks_fact(query: str) -> bool:
    return bool(_FACT.search(query)) and not _OWN_ACTION.search(query) and not wants_steps(query)


def wants_steps(query: str) -> bool:
    return bool(_HOW.search(query) or _HOW_ANYWHERE.search(query))
