"""Shared bench helpers: build a KnowledgeBase from a `Case`, run its questions through the knowledge chain."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bench.datasets import Case, write
from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params, params_file
from knowledge.embeddings import make_embeddings
from knowledge.retriever import RANK_FEATURES, Ranking


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
    case: Case,
    *,
    embedder: str = "wordllama",
    params: Params | None = None,
    config: KnowledgeConfig | None = None,
    embeddings: Embeddings | None = None,
) -> tuple[KnowledgeBase, float]:
    """Ingest the case's KB; `embeddings` reuses a loaded model (and its cache) instead of loading the configured one."""
    config = config or KnowledgeConfig(embedder=embedder)  # type: ignore[arg-type]
    folder = write(case, Path(tempfile.mkdtemp(prefix="fd-bench-")))
    kb = KnowledgeBase(
        config,
        folder / "kb",
        None,
        embeddings=embeddings or make_embeddings(config.embedder),
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


def rrf_order(o: Outcome, k: int = 60) -> list[str]:
    """Plain reciprocal-rank fusion of the BM25 and dense ranks (the baseline a fusion must beat), over the candidate
    pool: each candidate's ranks are read back from its bm_rank / d_rank features (1 / (1 + rank), 0 if absent)."""
    bm_col, d_col = RANK_FEATURES.index("bm_rank"), RANK_FEATURES.index("d_rank")
    scored = []
    for h in o.ranking.hits:
        score = 0.0
        for col in (bm_col, d_col):
            if h.features[col] > 0:
                score += 1.0 / (k + 1.0 / float(h.features[col]) - 1.0)
        scored.append((score, o.ids[h.row]))
    return [a for _, a in sorted(scored, key=lambda t: -t[0])]


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
    rrf = [rrf_order(o) for o in ans]
    rrf1 = np.array([bool(r) and r[0] in o.expected for r, o in zip(rrf, ans, strict=True)])
    rrf5 = np.array([any(a in o.expected for a in r[:5]) for r, o in zip(rrf, ans, strict=True)])
    conf = np.array([o.confidence for o in outcomes])
    ok = np.array([bool(o.expected) and bool(o.ranked) and o.ranked[0] in o.expected for o in outcomes])
    answered = conf >= threshold
    in_scope = np.array([bool(o.expected) for o in outcomes])
    res = {
        "n": len(outcomes),
        "top1": float(top1.mean()) if ans else float("nan"),
        "top5": float(top5.mean()) if ans else float("nan"),
        "mrr10": float(np.mean(rr)) if ans else float("nan"),
        "bm25_top1": float(bm.mean()) if ans else float("nan"),
        "dense_top1": float(dn.mean()) if ans else float("nan"),
        "classifier_top1": float(cl.mean()) if ans and any(o.clf_top for o in ans) else float("nan"),
        "rrf_top1": float(rrf1.mean()) if ans else float("nan"),
        "rrf_top5": float(rrf5.mean()) if ans else float("nan"),
        "answer_rate_answerable@0.70": float(answered[in_scope].mean()) if ans else float("nan"),
        "resolved@0.70": float((answered & ok)[in_scope].mean()) if ans else float("nan"),
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
