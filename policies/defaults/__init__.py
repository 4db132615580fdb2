"""The shipped policy defaults: TOML data files next to this module, read once per call and never mutated.

Keeping defaults in data files (not Python literals) lets a reviewer read and diff what Frontdesk says and watches
for per language; `policies.default_config()` validates them with the same models that validate `frontdesk.toml`.
"""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from importlib import resources
from typing import Any

SECTIONS = ("persona", "escalation", "sensitive", "languages", "phrases", "sentiment", "smalltalk")


@cache
def _load(section: str) -> dict[str, Any]:
    # Cached because the files are immutable package data; callers always get a deep copy (see `shipped`).
    if section not in SECTIONS:
        raise KeyError(f"no shipped defaults for '{section}' (known: {', '.join(SECTIONS)})")
    text = resources.files(__package__).joinpath(f"{section}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def shipped(section: str) -> dict[str, Any]:
    """A fresh copy of one shipped defaults file, as plain data."""
    return copy.deepcopy(_load(section))
