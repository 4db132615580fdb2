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
    r"\b(how (do|can|to|should)|steps?|wie (kann|erstelle|richte)|cómo)\b"
    # "i want to close my login", "we need to move it": a task stated as a wish is asked the same way (not "i want
    # to know whether ...", which asks a fact, nor "do we need to talk to sales?", which asks whether).
    r"|(?<!do )(?<!did )\b(i|we) (want|need|would like|'d like|wanna|am trying|are trying|try) to (?!know|understand|ask|see if|"
    r"check if|check whether|confirm|make sure|be sure)\w",
    re.I,
)

# "Where do I put the new card?": within a section that has steps, the steps say where (a bullet list of options
# does not: "where do my scheduled posts go?" is answered by "under the Scheduled tab").
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
    r"\b(how (long|many|much|often|big|large|fast)|what (is|are) the (limit|price|cost)s?|wie (lange|viele?|oft)|"
    r"cuánto|cuántos|cuántas|"
    # "whats the biggest attachment i can upload", "max size of a post": a limit is a figure
    r"biggest|largest|maximum|max|minimum|smallest|longest|shortest|highest|lowest|limits?|höchstens|maximal|"
    r"máximo|mínimo|límite)\b",
    re.I,
)
# A figure (a price, a number standing alone: "100,000", "7 days", "$49/month"; not a name like "v2" or "2FA"): what a
# quantity question is answered by.
QUANTITY = re.compile(r"\$\s?\d|\b\d[\d,.]*\b(?![\w/])")

# Questions about a point in time ("when does the downgrade apply?", "¿cuándo se aplica el cambio?"): answered by the
# sentence that says when ("at the end of the billing period", "de inmediato"), which often states no number, while a
# sentence with a number ("Growth (30 days) to Starter (7 days)") may not say when at all.
_WHEN = re.compile(
    r"\b(when (will|does|do|is|are|did|would|can|should)|how soon|until when|by when|what (time|date|day)|"
    r"wann|ab wann|bis wann|cuándo|a partir de cuándo)\b",
    re.I,
)
_MONTHS = "january|february|march|april|june|july|august|september|october|november|december"
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
WHEN_SAID = re.compile(
    r"\b(immediately|right away|at once|instantly|as soon as|at the (end|start|beginning) of|"
    r"(end|start) of (the|your|each|every|that)|on the (first|last) day|the (next|following) (billing|invoice|month|"
    r"period|day|cycle|charge|renewal)|(the )?same day|that day|(after|within|from) (\d|one|two|three|a few)|"
    r"\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?) (after|before|later|from)|midnight|"
    rf"{_MONTHS}|{_DAYS}|\d{{4}}-\d{{2}}-\d{{2}}|"
    r"sofort|umgehend|am ende|zum ende|zu beginn|ab dem|am (ersten|letzten) tag|innerhalb von|nach \d|bis zum|"
    r"de inmediato|inmediatamente|al final|al inicio|al principio|a partir de|hasta el|en cuanto|dentro de|"
    r"después de \d|el primer día)\b",
    re.I,
)


# A sentence that tells the reader what to do in the product ("Toggle the thread's Following indicator, or select
# Unfollow thread"): what a how-to question wants when its section has no numbered steps.
INSTRUCTION = re.compile(
    r"^\W*(select|click|tap|go to|open|choose|press|toggle|enable|disable|type|enter|navigate|hover|drag|"
    r"right-click|long[- ]press|search for|turn (on|off)|klicken|wählen|öffnen|gehen sie|haz clic|ve a|abre|"
    r"selecciona|elige)\b|\b(select|click|tap|go to|press|klicken sie|haz clic)\b",
    re.I,
)


# The words that only say which form of answer is wanted ("how long", "biggest"): no section is about them, and a
# section that happens to contain "long" or "maximum" is no better an answer for it.
_ASK_WORDS = re.compile(
    r"\b(how (long|many|much|often|soon|big|large|fast)|what (time|date|day)|biggest|largest|maximum|max|minimum|"
    r"smallest|longest|shortest|highest|lowest|wie (lange|viele?|oft)|cuánto|cuántos|cuántas|cuándo|wann)\b",
    re.I,
)


def without_ask_words(query: str) -> str:
    """`query` without the words that only ask for a figure or a time ("how long do you keep retrying" → "do you keep
    retrying")."""
    return _ASK_WORDS.sub(" ", query)


def asks_quantity(query: str) -> bool:
    return bool(_QUANTITY.search(query))


def asks_when(query: str) -> bool:
    return bool(_WHEN.search(query))


# "how much do we save if we pay yearly", "what does growth cost": a question about money is answered by a price,
# not by any number ("net 30 terms").
_MONEY_ASKED = re.compile(
    r"\b(cost|costs|price|prices|pricing|pay|paid|save|saving|savings|charge|charged|fee|fees|spend|discount|"
    r"kostet|kosten|preis|cuesta|cuestan|precio|cobran)\b",
    re.I,
)
MONEY_SAID = re.compile(r"[$€£]\s?\d|\d\s?(usd|eur|gbp|dollars?|euros?)\b|\bfree\b|\d\s?%|\bdiscount", re.I)


# "how long does that take?", "wie lange ist der Link gültig?": a duration, not any number ("SOC 2", "step 3").
_DURATION_ASKED = re.compile(r"\b(how (long|often|soon)|wie (lange|oft)|cuánto tiempo|por cuánto)\b", re.I)
DURATION_SAID = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|ten|twelve|a|an|a few)[\s-]+(business |working )?"
    r"(seconds?|minutes?|hours?|days?|weeks?|months?|years?|sec|min|h|sekunden|minuten|stunden|tagen?|wochen?|"
    r"monaten?|jahren?|segundos?|minutos?|horas?|días?|semanas?|meses|mes|años?)\b|"
    r"\b(immediately|right away|instantly|daily|weekly|monthly|yearly|annually|every (day|week|month|year))\b",
    re.I,
)


def answer_form(query: str) -> re.Pattern[str] | None:
    """What the sentence answering `query` must say: a point in time for "when", a duration for "how long", a price
    for "how much does it cost", a figure for "how many", None when the question asks for none of them."""
    if asks_when(query):
        return WHEN_SAID
    if _DURATION_ASKED.search(query):
        return DURATION_SAID
    if asks_quantity(query):
        return MONEY_SAID if _MONEY_ASKED.search(query) else QUANTITY
    return None


# Figures written differently in a question and an article ("after 2M" / "2,000,000 on Growth", "100k" / "100,000"):
# each becomes one marker of its value, so the sentence with the same number meets the question.
_FIGURE = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s?(k|m|million|thousand|mio)?(?![\w])", re.I)
_SCALE = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "mio": 1_000_000}


def figures(text: str) -> frozenset[str]:
    """Markers ("#2000000") of the numbers of 10 or more in `text`, whatever their spelling; small numbers (a step,
    "2 minutes") are too common to tie a question to a sentence."""
    out = set()
    for m in _FIGURE.finditer(text):
        digits, scale = m.group(1), (m.group(2) or "").casefold()
        if re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
            value = float(digits.replace(",", ""))
        else:
            try:
                value = float(digits.replace(",", "."))
            except ValueError:
                continue
        value *= _SCALE.get(scale, 1)
        if value >= 10:
            out.add(f"#{int(value)}" if value.is_integer() else f"#{value}")
    return frozenset(out)
