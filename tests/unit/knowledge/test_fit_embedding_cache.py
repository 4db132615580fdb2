"""bench.fit_params embeds each distinct text once across the fit's many ingests (its MiniLM refit depends on it)."""

from __future__ import annotations

import numpy as np
from langchain_core.embeddings import Embeddings

from bench.fit_params import CachedEmbeddings


class Counting(Embeddings):
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[float(len(t)), float(sum(map(ord, t)) % 7) + 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_each_distinct_text_is_embedded_once_and_rows_keep_their_order() -> None:
    inner = Counting()
    cached = CachedEmbeddings(inner)
    first = cached.matrix(["refund policy", "invoices", "refund policy"])
    second = cached.matrix(["invoices", "webhooks", "refund policy"])
    assert inner.calls == [["refund policy", "invoices"], ["webhooks"]]
    assert np.allclose(first[0], first[2]) and np.allclose(second[2], first[0]) and np.allclose(second[0], first[1])
    assert np.allclose(np.linalg.norm(second, axis=1), 1.0)
    assert cached.matrix([]).shape[0] == 0
