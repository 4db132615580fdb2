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
    "bms_rel",
    "bms_top",
)
# Features that only a KB with a question model has (0 otherwise); parameter files may omit their weights.
CLF_RANK_FEATURES = frozenset({"clf", "clf_top"})
# Features added after parameter files were fitted: a file without their weights gives them 0 (ranks as before).
LATER_RANK_FEATURES = frozenset({"bms_rel", "bms_top"})
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
    bm_order = _top(bm, candidates) if bm_max > 0 else np.zeros(0, dtype=np.int64)

    bmk = index.key_bm25_scores(query)
    bmk_max = float(bmk.max()) if bmk.size else 0.0
    bmk_order = _top(bmk, max(5, candidates // 3)) if bmk_max > 0 else np.zeros(0, np.int64)
    dense_order: list[int] = []
    vote: dict[int, float] = {}
    if index.dense and qvec is not None:
        key_scores, rows = index.dense_search(qvec, max(candidates * 8, 64))
        if key_scores.size:
            w = np.exp((key_scores[:VOTE_K] - key_scores[0]) / VOTE_TEMP)
            for weight, key_row in zip(w / w.sum(), rows[:VOTE_K], strict=True):
                art = int(index.key_article[key_row])
                vote[art] = vote.get(art, 0.0) + float(weight)
        # the articles of the nearest keys, each at its first (best) key, nearest first
        arts = index.key_article[rows]
        first = np.sort(np.unique(arts, return_index=True)[1])
        dense_order = arts[first[:candidates]].tolist()

    bms = index.section_bm25_scores(query)
    bms_max = float(bms.max()) if bms.size else 0.0
    bms_order = _top(bms, max(5, candidates // 3)) if bms_max > 0 else np.zeros(0, np.int64)

    clf = index.classifier.scores(query, qvec) if index.classifier is not None else None
    clf_order = np.argsort(-clf, kind="stable")[: max(5, candidates // 3)] if clf is not None else np.zeros(0, np.int64)
    clf_top = int(clf_order[0]) if clf_order.size else -1

    pool = list(
        dict.fromkeys([*dense_order, *bm_order.tolist(), *bmk_order.tolist(), *clf_order.tolist(), *bms_order.tolist()])
    )
    bmk_top = int(bmk_order[0]) if bmk_order.size else -1
    if not pool:
        return Ranking((), -1, -1, 0.0)
    rows_ = np.asarray(pool, dtype=np.int64)
    feats = np.zeros((len(pool), len(RANK_FEATURES)), dtype=np.float32)
    if index.dense and qvec is not None:
        feats[:, :5] = dense_features(*index.candidate_sims(rows_, qvec))
    bm_rank = _positions(bm_order, n)[rows_]
    d_rank = _positions(np.asarray(dense_order, dtype=np.int64), n)[rows_]
    feats[:, 5] = bm[rows_].astype(np.float64) / bm_max if bm_max > 0 else 0.0
    feats[:, 6] = bm_rank == 0
    feats[:, 7] = d_rank == 0
    feats[:, 8] = np.where(bm_rank >= 0, 1.0 / (1.0 + np.maximum(bm_rank, 0)), 0.0)
    feats[:, 9] = np.where(d_rank >= 0, 1.0 / (1.0 + np.maximum(d_rank, 0)), 0.0)
    feats[:, 10] = [vote.get(row, 0.0) for row in pool]
    feats[:, 11] = bmk[rows_].astype(np.float64) / bmk_max if bmk_max > 0 else 0.0
    feats[:, 12] = rows_ == bmk_top
    if clf is not None:
        feats[:, 13] = clf[rows_].astype(np.float64)
        feats[:, 14] = rows_ == clf_top
    feats[:, 15] = bms[rows_].astype(np.float64) / bms_max if bms_max > 0 else 0.0
    feats[:, 16] = rows_ == (int(bms_order[0]) if bms_order.size else -1)
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


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """`np.argsort(-values, kind="stable")[:k]` (ties keep row order) without sorting all 10k articles: only the
    rows at or above the k-th largest value are sorted. `values` hold no NaN (BM25 scores)."""
    if k >= values.size:
        return np.argsort(-values, kind="stable")
    neg = -values
    kth = np.partition(neg, k - 1)[k - 1]
    rows = np.flatnonzero(neg <= kth)
    top: np.ndarray = rows[np.argsort(neg[rows], kind="stable")[:k]]
    return top


def _positions(order: np.ndarray, n: int) -> np.ndarray:
    """Each article row's position in `order` (-1 when absent)."""
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(len(order))
    return pos


def dense_features(sims: np.ndarray, kinds: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """d_max, d_q, d_q3, d_p, d_mean for candidate articles whose key cosines and kinds are concatenated in `sims`
    and `kinds` (`lengths` keys each, at least one), computed for all of them at once.

    Equal, bit for bit, to the per-article reference (tests/unit/knowledge/test_retriever_features.py): the maxima are
    exact, sorted rows keep NaN first as `np.sort(x)[::-1]` does, and the top-k means add float32 values left to
    right and divide in float32, as `ndarray.mean` does for k ≤ 5.
    """
    m = len(lengths)
    seg = np.repeat(np.arange(m), lengths)
    col = np.arange(len(sims)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    width = int(lengths.max())
    is_q = kinds != KIND_PASSAGE
    every = np.full((m, width), -np.inf, dtype=np.float32)
    every[seg, col] = sims
    questions = np.full((m, width), -np.inf, dtype=np.float32)
    questions[seg[is_q], col[is_q]] = sims[is_q]
    passages = np.full((m, width), -np.inf, dtype=np.float32)
    passages[seg[~is_q], col[~is_q]] = sims[~is_q]
    n_q = np.bincount(seg[is_q], minlength=m)
    n_p = lengths - n_q

    d_max = every.max(axis=1)
    out = np.empty((m, 5), dtype=np.float32)
    out[:, 0] = d_max
    qs = np.sort(questions, axis=1)[:, ::-1]
    out[:, 1] = np.where(n_q > 0, qs[:, 0], d_max)
    out[:, 2] = np.where(n_q > 0, _top_mean(qs, np.minimum(n_q, 3)), d_max)
    out[:, 3] = np.where(n_p > 0, passages.max(axis=1), d_max)
    out[:, 4] = _top_mean(np.sort(every, axis=1)[:, ::-1], np.minimum(lengths, 5))
    return out


def _top_mean(desc: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean of the first `count` values of each row (rows with count 0 give 0; callers replace them)."""
    total = np.zeros(len(desc), dtype=np.float32)
    for c in range(int(count.max(initial=0))):
        total = total + np.where(c < count, desc[:, c], np.float32(0))
    mean: np.ndarray = total / np.maximum(count, 1).astype(np.float32)
    return mean
