"""Group short texts that mean the same, with the knowledge base's own embedder (no new model, nothing downloaded).

Used for knowledge gaps: questions the knowledge base could not answer, asked in different words, are one gap.
Greedy centroid clustering in the given order (callers pass the most asked first, so a cluster is named after its
most asked question): each text joins the closest existing cluster whose centroid is within `threshold` cosine, or
starts a new one. Deterministic, O(texts × clusters), enough for the few hundred failed questions of a period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.embeddings import embed_matrix

# Cosine at which two questions count as the same gap, for wordllama (the default embedder); measured on Banking77
# question pairs in bench/gap_clusters.py (see bench/RESULTS.md, "Knowledge-gap clusters").
SAME_GAP = 0.6


def group_similar(texts: Sequence[str], embeddings: Embeddings, threshold: float = SAME_GAP) -> list[list[int]]:
    """Indexes of `texts` in groups of similar meaning; groups in order of their first member, members in order."""
    if not texts:
        return []
    vectors = embed_matrix(embeddings, list(texts))
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for i, v in enumerate(vectors):
        best, best_score = -1, threshold
        for g, total in enumerate(sums):
            norm = float(np.linalg.norm(total))
            score = float(v @ total) / norm if norm else 0.0
            if score >= best_score:
                best, best_score = g, score
        if best < 0:
            groups.append([i])
            sums.append(v.astype(np.float64).copy())
        else:
            groups[best].append(i)
            sums[best] += v
    return groups
