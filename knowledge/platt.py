"""Platt scaling over features every KB has, and a KB's own calibration as stored beside its index.

A leaf module (numpy only) so that the index can hold a `SelfCalibration` without importing the ranking code:
`knowledge.confidence` computes the features, `knowledge.calibration` fits a KB's own at ingest.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# A second, small calibration on top of a parameter set's: features every KB has, whatever its shape (issue 14).
PLATT_FEATURES = ("logit", "votes", "coverage")
FORMAT = 2


@dataclass(frozen=True, slots=True)
class Platt:
    """Logistic (Platt) scaling over PLATT_FEATURES: the global recalibration, or a KB's own (calibration.py)."""

    weights: tuple[float, ...]
    bias: float

    def apply(self, x: np.ndarray) -> float:
        z = float(np.dot(self.weights, x)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": dict(zip(PLATT_FEATURES, [round(w, 6) for w in self.weights], strict=True)),
            "bias": round(self.bias, 6),
        }

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Platt:
        return cls(tuple(float(data["weights"][f]) for f in PLATT_FEATURES), float(data["bias"]))


@dataclass(frozen=True, slots=True)
class SelfCalibration:
    """Platt scaling of the shipped confidence for one KB scope, with what it was fitted on (for people)."""

    platt: Platt
    probes: int
    right: int  # probes whose own article ranked first
    source: str  # "known questions" or "sections"

    def describe(self) -> str:
        return (
            f"self-calibrated on {self.probes} held-out {self.source} of this knowledge base "
            f"({self.right} answered right by their own article)"
        )

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            **self.platt.to_json(),
            "probes": self.probes,
            "right": self.right,
            "source": self.source,
        }
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> SelfCalibration | None:
        """The stored calibration, or None when missing, of another format, or stored as "none fits"."""
        found = load_stored(path)
        return found[1] if found else None


def load_stored(path: Path) -> tuple[bool, SelfCalibration | None] | None:
    """(True, calibration) or (True, None) when this scope was found to be too small to fit one; None when there is
    nothing usable stored (missing, unreadable, another format): fit again."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        if data.get("none"):
            return True, None
        return True, SelfCalibration(Platt.parse(data), int(data["probes"]), int(data["right"]), str(data["source"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(path: Path, calibration: SelfCalibration | None) -> None:
    """Keep the outcome beside the index, "none fits" included (a restart then does not probe the KB again)."""
    if calibration is not None:
        calibration.save(path)
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "none": True}), encoding="utf-8")
    tmp.replace(path)
