"""Shared bench helpers: build a KnowledgeBase from a `Case`, run its questions through the knowledge chain."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.datasets import Case, write
from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params, params_file
from knowledge.embeddings import make_embeddings
from knowledge.retriever import Ranking


@dataclass(slots=True)
class Outcome:
    expected: tuple[str, ...]
    ranked: list[str]  # article ids, fused order
    bm25_top: str
    dense_top: str
    clf_top: str  # the question model's first article ("" when the KB has none)
    confidence: float
    ranking: Ranking
    ids: list[str]  # article id per index row (to map feature rows back)


def build(
    case: Case, *, embedder: str = "wordllama", params: Params | None = None, config: KnowledgeConfig | None = None
) -> tuple[KnowledgeBase, float]:
    config = config or KnowledgeConfig(embedder=embedder)  # type: ignore[arg-type]
    folder = write(case, Path(tempfile.mkdtemp(prefix="fd-bench-")))
    kb = KnowledgeBase(
        config,
        folder / "kb",
        None,
        embeddings=make_embeddings(config.embedder),
        params=params or Params.load(params_file(config.embedder)),
    )
    t = time.perf_counter()
    kb.ingest()
    return kb, time.perf_counter() - t


def run(kb: KnowledgeBase, case: Case) -> list[Outcome]:
    out = []
    for q in case.questions:
        exp = q["expected"]
        expected = () if exp is None else ((exp,) if isinstance(exp, str) else tuple(exp))  # type: ignore[arg-type]
        r = kb.retrieve(str(q["text"]), str(q.get("language") or "en"))
        assert r is not None
        ids = [a.id for a in r.index.articles]
        ranked = [ids[h.row] for h in r.ranking.hits]
        out.append(
            Outcome(
                expected,
                ranked,
                ids[r.ranking.bm25_top] if r.ranking.bm25_top >= 0 else "",
                ids[r.ranking.dense_top] if r.ranking.dense_top >= 0 else "",
                ids[r.ranking.clf_top] if r.ranking.clf_top >= 0 else "",
                r.confidence,
                r.ranking,
                ids,
            )
        )
    return out


def ece(conf: np.ndarray, ok: np.ndarray, bins: int = 10) -> float:
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (conf >= lo) & ((conf < hi) | ((b == bins - 1) & (conf <= 1.0)))
        if m.any():
            total += m.mean() * abs(conf[m].mean() - ok[m].mean())
    return float(total)


def metrics(outcomes: list[Outcome], threshold: float = 0.70) -> dict[str, float]:
    ans = [o for o in outcomes if o.expected]
    oos = [o for o in outcomes if not o.expected]
    top1 = np.array([bool(o.ranked) and o.ranked[0] in o.expected for o in ans])
    top5 = np.array([any(r in o.expected for r in o.ranked[:5]) for o in ans])
    rr = [next((1 / (i + 1) for i, r in enumerate(o.ranked[:10]) if r in o.expected), 0.0) for o in ans]
    bm = np.array([o.bm25_top in o.expected for o in ans])
    dn = np.array([o.dense_top in o.expected for o in ans])
    cl = np.array([o.clf_top in o.expected for o in ans])
    conf = np.array([o.confidence for o in outcomes])
    ok = np.array([bool(o.expected) and bool(o.ranked) and o.ranked[0] in o.expected for o in outcomes])
    answered = conf >= threshold
    res = {
        "n": len(outcomes),
        "top1": float(top1.mean()) if ans else float("nan"),
        "top5": float(top5.mean()) if ans else float("nan"),
        "mrr10": float(np.mean(rr)) if ans else float("nan"),
        "bm25_top1": float(bm.mean()) if ans else float("nan"),
        "dense_top1": float(dn.mean()) if ans else float("nan"),
        "classifier_top1": float(cl.mean()) if ans and any(o.clf_top for o in ans) else float("nan"),
        "ece": ece(conf, ok),
        "answer_rate@0.70": float(answered.mean()),
        "precision@0.70": float(ok[answered].mean()) if answered.any() else float("nan"),
        "confident_wrong@0.70": float((~ok[answered]).mean()) if answered.any() else float("nan"),
    }
    if oos and ans:
        in_conf = np.array([o.confidence for o in ans])
        oos_conf = np.array([o.confidence for o in oos])
        cut = float(np.quantile(in_conf, 0.10))  # answer 90% of in-scope questions
        res["oos_recall@90%answer"] = float((oos_conf < cut).mean())
        res["oos_recall@0.70"] = float((oos_conf < threshold).mean())
        res["in_scope_answer@0.70"] = float((in_conf >= threshold).mean())
        # AUROC of confidence for in-scope vs out-of-scope
        allc = np.concatenate([in_conf, oos_conf])
        ranks = allc.argsort().argsort() + 1
        n1, n0 = len(in_conf), len(oos_conf)
        res["auroc_oos"] = float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    return res
