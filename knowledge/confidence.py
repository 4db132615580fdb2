"""Calibrated confidence: a logistic model over retrieval signals, parameters shipped in knowledge/params.json.

The parameters (fusion weights and calibration) are fitted by bench/fit_params.py on public *training* splits
only (Banking77 train, CLINC150 train + oos_train); test splits are never seen. The output is meant literally:
among answers given with confidence >= 0.70, about 70% or more should be right.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.errors import ConfigError
from knowledge.platt import PLATT_FEATURES, Platt
from knowledge.retriever import CLF_RANK_FEATURES, LATER_RANK_FEATURES, RANK_FEATURES, Ranking

CONF_FEATURES = (
    "p1",
    "margin",
    "d_max",
    "d_q",
    "d_q3",
    "bm_rel",
    "agree",
    "bm_top",
    "d_top",
    "single",
    "kbq",
    "p1_kbq",
    "d_q3_kbq",
    "d_max_kbq",
    "clf_max",
    "clf_margin",
    "clf_agree",
    "votes",
    "votes_kbq",
    "bms_rel",
)
CLF_CONF_FEATURES = frozenset({"clf_max", "clf_margin", "clf_agree"})
# Added after parameter files were fitted (issue 14): a file without their weights gives them 0.
LATER_CONF_FEATURES = frozenset({"votes", "votes_kbq", "bms_rel"})
PARAMS_FILE = Path(__file__).with_name("params.json")


def params_file(embedder: str) -> Path:
    """Each embedder has its own similarity scale, so its own fitted parameters (params-<embedder>.json)."""
    own = PARAMS_FILE.with_name(f"params-{embedder}.json")
    return own if embedder != "wordllama" and own.is_file() else PARAMS_FILE


@dataclass(frozen=True, slots=True)
class ParamSet:
    """Fusion weights and calibration for one kind of index (with or without a question model)."""

    rank_weights: np.ndarray
    conf_weights: np.ndarray
    conf_bias: float

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ParamSet:
        rank = data["rank_weights"]
        conf = data["calibration"]["weights"]
        # A parameter set fitted before the question model existed has no weights for its features: they are 0,
        # i.e. the classifier is ignored rather than the file rejected.
        return cls(
            np.array(
                [
                    float(rank.get(f, 0.0) if f in CLF_RANK_FEATURES | LATER_RANK_FEATURES else rank[f])
                    for f in RANK_FEATURES
                ],
                np.float32,
            ),
            np.array(
                [
                    float(conf.get(f, 0.0) if f in CLF_CONF_FEATURES | LATER_CONF_FEATURES else conf[f])
                    for f in CONF_FEATURES
                ]
            ),
            float(data["calibration"]["bias"]),
        )

    def fingerprint(self) -> str:
        """A short hash of the weights: what a per-KB calibration stored beside the index was fitted under."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:10]

    def to_json(self) -> dict[str, Any]:
        return {
            "rank_weights": {
                f: round(float(w), 5) + 0.0 for f, w in zip(RANK_FEATURES, self.rank_weights, strict=True)
            },
            "calibration": {
                "weights": {f: round(float(w), 5) + 0.0 for f, w in zip(CONF_FEATURES, self.conf_weights, strict=True)},
                "bias": round(self.conf_bias, 5),
            },
        }


def platt_features(ranking: Ranking, shipped: float, coverage: float) -> np.ndarray:
    """The shipped confidence as a logit, retriever agreement on the top article (share of BM25, section BM25,
    title BM25 and dense that rank it first) and the share of the question's content words the article holds."""
    if not ranking.hits:
        return np.zeros(len(PLATT_FEATURES))
    f = dict(zip(RANK_FEATURES, ranking.hits[0].features.tolist(), strict=True))
    p = min(max(shipped, 1e-6), 1.0 - 1e-6)
    votes = (f["bm_top"] + f["d_top"] + f["bms_top"] + f["bmk_top"]) / 4.0
    return np.array([math.log(p / (1.0 - p)), votes, coverage])


def recalibration_file(params_path: Path) -> Path:
    """params.json → recalibration.json, params-minilm.json → recalibration-minilm.json."""
    return params_path.with_name(params_path.name.replace("params", "recalibration", 1))


def load_recalibration(path: Path, sets: dict[str, ParamSet]) -> dict[str, Platt]:
    """The global recalibration of each parameter set ("base", "classifier") it was fitted for. A set whose
    weights changed since (a refit of the parameters) gets none: its own calibration is used alone."""
    try:
        data = json.loads(path.read_text())
        return {
            name: Platt.parse(data[name])
            for name, ps in sets.items()
            if name in data and data[name].get("params_fingerprint") == ps.fingerprint()
        }
    except FileNotFoundError:
        return {}
    except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: invalid recalibration file ({exc!r})") from None


@dataclass(frozen=True, slots=True)
class Params:
    """`base` serves indexes without a question model, `classifier` those with one. Two sets, not one: fitted
    jointly, the KBs with known questions pulled the shared weights their way and StackFAQ (no questions) lost
    0.7 points; separately, a KB without questions ranks exactly as it did before the classifier existed."""

    base: ParamSet
    classifier: ParamSet | None = None  # None: no question model is trained (nothing would use it)
    source: str = ""
    # The global recalibration per set name ("base", "classifier"), from the recalibration file beside the
    # parameters (bench/fit_recalibration.py); empty when absent or fitted for other weights.
    recalibration: dict[str, Platt] = field(default_factory=dict)

    def global_platt(self, has_classifier: bool) -> Platt | None:
        return self.recalibration.get("classifier" if has_classifier and self.classifier is not None else "base")

    @property
    def rank_weights(self) -> np.ndarray:
        return self.base.rank_weights

    def for_index(self, has_classifier: bool) -> ParamSet:
        return self.classifier if has_classifier and self.classifier is not None else self.base

    @classmethod
    def load(cls, path: Path | None = None) -> Params:
        path = path or PARAMS_FILE
        try:
            data = json.loads(path.read_text())
            base = ParamSet.parse(data)
            clf = ParamSet.parse(data["classifier"]) if data.get("classifier") else None
            sets = {"base": base, **({"classifier": clf} if clf is not None else {})}
            return cls(base, clf, str(data.get("source", "")), load_recalibration(recalibration_file(path), sets))
        except FileNotFoundError:
            raise ConfigError(f"{path}: knowledge parameters file not found") from None
        except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: invalid knowledge parameters ({exc!r})") from None


def conf_features(ranking: Ranking) -> np.ndarray:
    hits = ranking.hits
    x = np.zeros(len(CONF_FEATURES), dtype=np.float64)
    if not hits:
        return x
    top = hits[0]
    f = dict(zip(RANK_FEATURES, top.features.tolist(), strict=True))
    x[0] = top.prob
    x[1] = top.score - hits[1].score if len(hits) > 1 else 5.0
    x[2] = f["d_max"]
    x[3] = f["d_q"]
    x[4] = f["d_q3"]
    x[5] = f["bm_rel"]
    x[6] = 1.0 if ranking.bm25_top == top.row and ranking.dense_top == top.row else 0.0
    x[7] = f["bm_top"]
    x[8] = f["d_top"]
    x[9] = 1.0 if len(hits) == 1 else 0.0
    # The same similarity means different things in a KB of intent examples and one of long manual pages, so
    # the KB's known-question density enters the calibration, alone and as interactions.
    kbq = ranking.kb_questions
    x[10] = kbq
    x[11] = x[0] * kbq
    x[12] = x[4] * kbq
    x[13] = x[2] * kbq
    if ranking.clf_top >= 0:
        x[14] = ranking.clf_max
        x[15] = ranking.clf_margin
        x[16] = 1.0 if ranking.clf_top == top.row else 0.0
    # How many retrievers put the chosen article first (BM25 over articles, over sections, over titles, dense):
    # agreement is what tells a right answer from a wrong one on a KB without known questions.
    x[17] = (f["bm_top"] + f["d_top"] + f["bms_top"] + f["bmk_top"]) / 4.0
    x[18] = x[17] * kbq
    x[19] = f["bms_rel"]
    return x


def confidence(ranking: Ranking, params: ParamSet) -> float:
    if not ranking.hits:
        return 0.0
    z = float(conf_features(ranking) @ params.conf_weights) + params.conf_bias
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
