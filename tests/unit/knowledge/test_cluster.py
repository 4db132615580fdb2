"""Knowledge-gap clustering: questions of one subject asked in different words are one group (the bundled wordllama
embedder, offline), unrelated questions stay apart, and the order names each group after its first member."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from knowledge.cluster import group_similar
from knowledge.embeddings import WordLlamaEmbeddings


class Axis(Embeddings):
    """Each text is the unit vector given for it: exact control over the cosines."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def test_rewordings_of_one_subject_group_with_the_bundled_embedder() -> None:
    texts = [
        "Can I export my data to CSV?",
        "Do you support SAML single sign-on?",
        "How do I get a CSV export of all my data?",
        "Is there SSO with SAML?",
        "Does the quantum flux module support warp drives?",
    ]
    assert group_similar(texts, WordLlamaEmbeddings()) == [[0, 2], [1, 3], [4]]


def test_threshold_and_centroid() -> None:
    emb = Axis({"a": [1.0, 0.0], "b": [0.8, 0.6], "c": [0.0, 1.0]})
    assert group_similar(["a", "b", "c"], emb, threshold=0.75) == [[0, 1], [2]]  # cos(a, b) = 0.8
    assert group_similar(["a", "b", "c"], emb, threshold=0.9) == [[0], [1], [2]]
    # c is 0.6 from b but far from the a+b centroid it would join: it stays on its own.
    assert group_similar(["a", "b", "c"], emb, threshold=0.6) == [[0, 1], [2]]
    assert group_similar([], emb) == []
