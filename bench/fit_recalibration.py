"""Fit the global recalibration (knowledge/recalibration.json) on the fit splits of every KB shape.

    python -m bench.fit_recalibration [--write] [--cache /tmp/recal.npz]

The parameters file's calibration is a logistic model over ranking features, fitted with intent data in the
majority; on KBs of another shape its 0.70 no longer means "right 70 % of the time" (the example KB's right
answers sat at 0.45). This second, small model (Platt scaling, knowledge.confidence.PLATT_FEATURES) reads the
first one's logit beside two features every KB has — how many retrievers agree on the top article and how much of
the question it covers — and is fitted with each data set weighing the same: Banking77 train and CLINC150 train
(bench.datasets.fit_splits: intent KBs with all, 20 and 4 known questions), StackFAQ by thread fold (a FAQ; with
3 known questions per thread for the question-model set) and the Mattermost questions' fit part (a help center).
Test/val splits, the Mattermost report part and examples/ are never read. One model per parameter set ("base":
KBs without a question model, "classifier": with one), each tied to its set by a fingerprint of the weights, so a
refit of params.json switches the recalibration off until this is run again.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.datasets import Case, fit_splits, mattermost_questions, stackfaq_fit_case
from bench.fit_params import FOLDS, UNANSWERABLE_SHARE, equal_weights
from bench.knowledge_common import build, ece
from knowledge import KnowledgeConfig
from knowledge.calibration import fit_self_calibration
from knowledge.confidence import Params, params_file, platt_features, recalibration_file
from knowledge.embeddings import embed_matrix
from knowledge.platt import PLATT_FEATURES, Platt
from knowledge.relevance import content_terms, coverage


def source(case: Case) -> str:
    for name in ("banking77", "clinc150", "stackfaq", "mattermost"):
        if case.name.startswith(name):
            return name
    raise ValueError(case.name)


Collected = tuple[np.ndarray, np.ndarray, list[str], np.ndarray]


def collect(cases: list[Case], embedder: str, *, classifier: bool) -> Collected:
    """PLATT_FEATURES under the parameters file's own calibration, "top-1 right", the data set and whether the KB
    covers the question at all, per query."""
    config = KnowledgeConfig(embedder=embedder, classifier=classifier, calibration="params")  # type: ignore[arg-type]
    xs, ys, sets, covered_q = [], [], [], []
    for case in cases:
        kb, _ = build(case, config=config)
        for q in case.questions:
            exp = q["expected"]
            expected = () if exp is None else ((exp,) if isinstance(exp, str) else tuple(exp))  # type: ignore[arg-type]
            r = kb.retrieve(str(q["text"]), "en")
            if r is None or not r.ranking.hits:
                continue
            top = r.article(0)
            covered = coverage(str(q["text"]), content_terms(top), "en")
            xs.append(platt_features(r.ranking, r.confidence, covered))
            ys.append(top.id in expected)
            sets.append(source(case))
            covered_q.append(bool(expected))
        print(f"  {case.name}: {len(case.articles)} articles, {len(case.questions)} queries", flush=True)
    return np.vstack(xs), np.asarray(ys, dtype=bool), sets, np.asarray(covered_q, dtype=bool)


def probe_gaps(cases: list[Case], embedder: str, *, classifier: bool) -> dict[str, list[float]]:
    """Per data set, the offset that best moves each case's self-calibration (fitted on its own probes) onto its
    real questions: how much harder the probes are than real questions (knowledge/calibration.py)."""
    from scipy.optimize import minimize_scalar

    config = KnowledgeConfig(embedder=embedder, classifier=classifier, calibration="params")  # type: ignore[arg-type]
    gaps: dict[str, list[float]] = {}
    for case in cases:
        kb, _ = build(case, config=config)
        index = kb.retrieve("x", "en")
        assert index is not None
        params = kb.params.for_index(index.index.classifier is not None)
        emb = kb.embeddings
        assert emb is not None
        own = fit_self_calibration(index.index, params, lambda t, e=emb: embed_matrix(e, t))
        if own is None:
            continue
        zs, ys = [], []
        for q in case.questions:
            exp = q["expected"]
            expected = () if exp is None else ((exp,) if isinstance(exp, str) else tuple(exp))  # type: ignore[arg-type]
            r = kb.retrieve(str(q["text"]), "en")
            if r is None or not r.ranking.hits:
                continue
            x = platt_features(r.ranking, r.confidence, coverage(str(q["text"]), content_terms(r.article(0)), "en"))
            zs.append(float(np.dot(own.platt.weights, x)) + own.platt.bias)
            ys.append(r.article(0).id in expected)
        z, y = np.asarray(zs), np.asarray(ys, dtype=float)

        def loss(d: float, z: np.ndarray = z, y: np.ndarray = y) -> float:
            p = np.clip(1 / (1 + np.exp(-(z + d))), 1e-9, 1 - 1e-9)
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

        gap = float(minimize_scalar(loss, bounds=(-5, 5), method="bounded").x)
        gaps.setdefault(source(case), []).append(gap)
        print(f"  {case.name}: probes {own.probes} ({own.right} right), offset to its real questions {gap:+.2f}")
    return gaps


def fit(x: np.ndarray, y: np.ndarray, sets: list[str], answerable: np.ndarray) -> Platt:
    """Equal weight per data set, and the questions the KB does not cover at UNANSWERABLE_SHARE of the fit: the
    same prior as the parameters file's calibration (bench/fit_params.py)."""
    from sklearn.linear_model import LogisticRegression

    weights = np.ones(len(y))
    outside = ~answerable
    if outside.any() and answerable.any():
        weights[outside] = UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE) * answerable.sum() / outside.sum()
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x, y, sample_weight=weights * equal_weights(sets))
    return Platt(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))


def report(name: str, x: np.ndarray, y: np.ndarray, sets: list[str], platt: Platt) -> None:
    before = 1 / (1 + np.exp(-x[:, 0]))
    after = np.array([platt.apply(row) for row in x])
    print(f"{name}: weights {dict(zip(PLATT_FEATURES, np.round(platt.weights, 3), strict=True))} bias {platt.bias:.3f}")
    for s in sorted(set(sets)):
        m = np.array([t == s for t in sets])
        print(f"  {s:10s} n={m.sum():5d} ECE {ece(before[m], y[m]):.3f} -> {ece(after[m], y[m]):.3f} (fit data)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="wordllama")
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--probe-offsets",
        action="store_true",
        help="also measure, per fit set, how far the per-KB self-calibration sits from its real questions",
    )
    ap.add_argument("--cache", help="an .npz file keeping the collected features between runs")
    args = ap.parse_args()
    params_path = params_file(args.embedder)
    params = Params.load(params_path)
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        with np.load(cache) as data:
            collected = {
                k: (data[f"{k}_x"], data[f"{k}_y"], data[f"{k}_s"].tolist(), data[f"{k}_a"])
                for k in ("base", "classifier")
            }
    else:
        print("collecting the fit sets without a question model")
        base_cases = [*fit_splits(), *(stackfaq_fit_case(f, FOLDS) for f in range(FOLDS)), mattermost_questions("fit")]
        print("collecting the fit sets with a question model")
        clf_cases = [*fit_splits(), *(stackfaq_fit_case(f, FOLDS, known=3) for f in range(FOLDS))]
        collected = {
            "base": collect(base_cases, args.embedder, classifier=False),
            "classifier": collect(clf_cases, args.embedder, classifier=True),
        }
        if cache is not None:
            arrays = {f"{k}_{p}": np.asarray(v[i]) for k, v in collected.items() for i, p in enumerate("xysa")}
            np.savez(cache, **arrays)  # type: ignore[arg-type]
    out: dict[str, object] = {
        "source": f"bench/fit_recalibration.py ({args.embedder}) on Banking77/CLINC150 train, StackFAQ thread folds "
        f"and the Mattermost questions' fit part, each data set weighted equally, {datetime.now(UTC):%Y-%m-%d}",
        "features": list(PLATT_FEATURES),
    }
    if args.probe_offsets:
        for name, per_set in _probe_gaps(args).items():
            print(f"{name}: probe offsets { ({k: np.round(v, 2).tolist() for k, v in per_set.items()}) }")
    for name, (x, y, sets, answerable) in collected.items():
        platt = fit(x, y, sets, answerable)
        report(name, x, y, sets, platt)
        param_set = params.base if name == "base" else params.classifier
        if param_set is not None:
            out[name] = {**platt.to_json(), "params_fingerprint": param_set.fingerprint()}
    if args.write:
        target = recalibration_file(params_path)
        target.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {target}")


def _probe_gaps(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """Probe offsets per parameter set and data set; the intent sets with 20 and 4 known questions (the shape of
    a hand-written KB) rather than all of them, to keep the run under half an hour on 2 cores."""
    path = Path(args.cache).with_suffix(".gaps.json") if args.cache else None
    if path is not None and path.is_file():
        cached: dict[str, dict[str, list[float]]] = json.loads(path.read_text())
        return cached
    intents = [c for c in fit_splits() if not c.name.endswith("-all")]
    print("probe offsets without a question model")
    base = probe_gaps(
        [*intents, *(stackfaq_fit_case(f, FOLDS) for f in range(FOLDS)), mattermost_questions("fit")],
        args.embedder,
        classifier=False,
    )
    print("probe offsets with a question model")
    clf = probe_gaps(
        [*intents, *(stackfaq_fit_case(f, FOLDS, known=3) for f in range(FOLDS))], args.embedder, classifier=True
    )
    gaps = {"base": base, "classifier": clf}
    if path is not None:
        path.write_text(json.dumps(gaps))
    return gaps


if __name__ == "__main__":
    main()
