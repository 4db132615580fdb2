"""Sentence splitting shared by the knowledge chain (composing answers) and the persona (counting sentences).

It lives in the core layer, with the standard library only, because `knowledge` and `policies` are independent
capabilities that must split text the same way: a reply the chain composed as two sentences is two sentences to the
persona's length limit too.
"""

from __future__ import annotations

import re

# Words whose trailing dot is not a sentence end. "E.G." in capitals too: matching is case-insensitive.
_ABBREVIATIONS = re.compile(
    r"(?<![\w.])(e\.g|i\.e|etc|vs|approx|incl|no|nr|z\.b|d\.h|u\.a|bzw|ggf|p\.ej|ca|usw|mr|mrs|ms|dr|st|ee|uu)\.$", re.I
)
# A sentence ends at . ! ? … (closing quotes and brackets stay with it) before whitespace and something that can
# start a sentence: "Click Forgot password? on the sign-in page" is one sentence, not two.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"')\]]*)\s+(?![a-zß-öø-ÿ])")
# A list marker at the start of a line ("1.", "2)", "-", "*", "•"): part of the item, never a sentence of its own.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s+")
_BARE_NUMBER = re.compile(r"^\d{1,3}[.)]$")


def is_list_item(line: str) -> bool:
    """True for a line that starts with a list marker followed by text ("1. Go to Settings", "- Check spam")."""
    match = LIST_MARKER.match(line)
    return match is not None and bool(line[match.end() :].strip())


def sentences(text: str) -> list[str]:
    """Split into sentences; list items and lines count as sentences, abbreviations and decimals do not split.

    A line's list marker stays with its item: "1. Go to Settings" is one sentence, not "1." and "Go to Settings".
    A dot after a number only ends a sentence when text came before it on the line ("It costs 10. Then …").
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        marker = LIST_MARKER.match(line)
        body_start = marker.end() if marker else 0
        start = 0
        pieces: list[str] = []
        for match in _SENTENCE_END.finditer(line):
            if match.start() <= body_start:
                continue  # the dot of the list marker itself
            candidate = line[start : match.end(1)].strip()
            if _ABBREVIATIONS.search(candidate) or _BARE_NUMBER.match(candidate):
                continue  # "e.g." / "etc." inside a sentence, or an inline step number ("… Settings. 2. Click …")
            pieces.append(candidate)
            start = match.end()
        pieces.append(line[start:].strip())
        out.extend(p for p in pieces if p)
    return out
