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


# Questions about an amount or a duration ("how long until our data gets wiped", "how many events per month"): the
# answer is the sentence or table row that states a number, not the section's summary or its steps.
_QUANTITY = re.compile(
    r"\b(how (long|many|much|often|soon|big|large|fast)|when (will|does|do|is|are)|until when|what (is|are) the "
    r"(limit|price|cost)s?|wie (lange|viele?|oft)|wann|cuánto|cuántos|cuántas|cuándo)\b",
    re.I,
)
# A figure (a price, a number standing alone: "100,000", "7 days", "$49/month"; not a name like "v2" or "2FA"): what a
# quantity question is answered by.
QUANTITY = re.compile(r"\$\s?\d|\b\d[\d,.]*\b(?![\w/])")


def asks_quantity(query: str) -> bool:
    return bool(_QUANTITY.search(query))
