"""Hybrid ranking: candidates from BM25 and FAISS, article features, and a learned linear fusion.

Naive reciprocal-rank fusion loses to the better single retriever whenever the other one is weak (measured on
Banking77 and StackFAQ), so each candidate article gets a feature vector (best key cosine, best known-question
cosine, mean of its top question cosines, best passage cosine, relative BM25 score, agreement flags, and — when the
KB has known questions — the question model's score, knowledge/classifier.py) and is scored with weights fitted on
public *training* splits (bench/fit_params.py); a softmax over candidates gives the ranking probability that the
confidence model then calibrates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.index import KIND_PASSAGE, ScopeIndex

RANK_FEATURES = (
    "d_max",
    "d_q",
    "d_q3",
    "d_p",
    "d_mean",
    "bm_rel",
    "bm_top",
    "d_top",
    "bm_rank",
    "d_rank",
    "vote",
    "bmk_rel",
    "bmk_top",
    "clf",
    "clf_top",
)
# Features that only a KB with a question model has (0 otherwise); parameter files may omit their weights.
CLF_RANK_FEATURES = frozenset({"clf", "clf_top"})
VOTE_K, VOTE_TEMP = 10, 0.05  # soft kNN vote over the 10 nearest keys


@dataclass(frozen=True, slots=True)
class Ranked:
    row: int  # article row in the ScopeIndex
    score: float  # linear fusion score
    prob: float  # softmax over candidates
    features: np.ndarray  # RANK_FEATURES


@dataclass(frozen=True, slots=True)
class Ranking:
    hits: tuple[Ranked, ...]
    bm25_top: int  # article row BM25 ranks first (-1 if no lexical match)
    dense_top: int  # article row the dense keys rank first (-1 without an embedder)
    bm25_max: float  # raw BM25 score of the lexical top
    kb_questions: float = 0.0  # log(1 + known questions per article) of the index: calibration differs by KB style
    clf_top: int = -1  # article row the question model ranks first (-1 without one)
    clf_max: float = 0.0  # its score
    clf_margin: float = 0.0  # its score minus the runner-up's


def rank(
    index: ScopeIndex,
    query: str,
    qvec: np.ndarray | None,
    weights: np.ndarray,
    *,
    candidates: int = 30,
) -> Ranking:
    n = len(index.articles)
    if n == 0:
        return Ranking((), -1, -1, 0.0)
    bm = index.bm25_scores(query)
    bm_max = float(bm.max()) if bm.size else 0.0
    bm_order = np.argsort(-bm, kind="stable")[:candidates] if bm_max > 0 else np.zeros(0, dtype=np.int64)
    bm_rank = {int(r): i for i, r in enumerate(bm_order)}

    bmk = index.key_bm25_scores(query)
    bmk_max = float(bmk.max()) if bmk.size else 0.0
    bmk_order = np.argsort(-bmk, kind="stable")[: max(5, candidates // 3)] if bmk_max > 0 else np.zeros(0, np.int64)
    dense_order: list[int] = []
    vote: dict[int, float] = {}
    if index.dense and qvec is not None:
        key_scores, rows = index.dense_search(qvec, max(candidates * 8, 64))
        if key_scores.size:
            w = np.exp((key_scores[:VOTE_K] - key_scores[0]) / VOTE_TEMP)
            for weight, key_row in zip(w / w.sum(), rows[:VOTE_K], strict=True):
                art = int(index.key_article[key_row])
                vote[art] = vote.get(art, 0.0) + float(weight)
        seen: set[int] = set()
        for key_row in rows:
            art = int(index.key_article[key_row])
            if art not in seen:
                seen.add(art)
                dense_order.append(art)
                if len(dense_order) >= candidates:
                    break
    d_rank = {r: i for i, r in enumerate(dense_order)}

    clf = index.classifier.scores(query, qvec) if index.classifier is not None else None
    clf_order = np.argsort(-clf, kind="stable")[: max(5, candidates // 3)] if clf is not None else np.zeros(0, np.int64)
    clf_top = int(clf_order[0]) if clf_order.size else -1

    pool = list(
        dict.fromkeys(
            [
                *dense_order,
                *(int(r) for r in bm_order),
                *(int(r) for r in bmk_order),
                *(int(r) for r in clf_order),
            ]
        )
    )
    bmk_top = int(bmk_order[0]) if bmk_order.size else -1
    if not pool:
        return Ranking((), -1, -1, 0.0)
    feats = np.zeros((len(pool), len(RANK_FEATURES)), dtype=np.float32)
    dense_sims = index.candidate_sims(pool, qvec) if index.dense and qvec is not None else []
    for i, row in enumerate(pool):
        if dense_sims:
            sims, kinds = dense_sims[i]
            qmask = kinds != KIND_PASSAGE
            qs = np.sort(sims[qmask])[::-1] if qmask.any() else sims[:0]
            ps = sims[~qmask]
            d_max = float(sims.max())
            feats[i, 0] = d_max
            feats[i, 1] = float(qs[0]) if qs.size else d_max
            feats[i, 2] = float(qs[:3].mean()) if qs.size else d_max
            feats[i, 3] = float(ps.max()) if ps.size else d_max
            feats[i, 4] = float(np.sort(sims)[::-1][:5].mean())
        feats[i, 5] = float(bm[row]) / bm_max if bm_max > 0 else 0.0
        feats[i, 6] = 1.0 if bm_rank.get(row) == 0 else 0.0
        feats[i, 7] = 1.0 if d_rank.get(row) == 0 else 0.0
        feats[i, 8] = 1.0 / (1.0 + bm_rank[row]) if row in bm_rank else 0.0
        feats[i, 9] = 1.0 / (1.0 + d_rank[row]) if row in d_rank else 0.0
        feats[i, 10] = vote.get(row, 0.0)
        feats[i, 11] = float(bmk[row]) / bmk_max if bmk_max > 0 else 0.0
        feats[i, 12] = 1.0 if row == bmk_top else 0.0
        if clf is not None:
            feats[i, 13] = float(clf[row])
            feats[i, 14] = 1.0 if row == clf_top else 0.0
    scores = feats @ weights
    order = np.argsort(-scores, kind="stable")
    z = scores[order] - scores[order[0]]
    probs = np.exp(z) / np.exp(z).sum()
    hits = tuple(Ranked(pool[j], float(scores[j]), float(p), feats[j]) for j, p in zip(order, probs, strict=True))
    return Ranking(
        hits,
        int(bm_order[0]) if bm_order.size else -1,
        dense_order[0] if dense_order else -1,
        bm_max,
        index.questions_per_article,
        clf_top,
        float(clf[clf_order[0]]) if clf is not None and clf_order.size else 0.0,
        float(clf[clf_order[0]] - clf[clf_order[1]]) if clf is not None and clf_order.size > 1 else 0.0,
    )
