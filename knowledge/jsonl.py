"""Reading JSON Lines files whose every problem names the file and line (KB FAQ files and eval question files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bot.core.errors import KnowledgeError


def json_objects(raw: str, source: str, *, shape: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (``source:line``, object) for each non-blank line; `shape` says what a line must hold, for errors."""
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KnowledgeError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise KnowledgeError(f"{where}: each line must be {shape}")
        yield where, row
