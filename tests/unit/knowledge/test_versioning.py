"""The index is versioned on disk, re-ingest is incremental by content hash, and reload follows changes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.core.types import Question
from knowledge import KnowledgeConfig, open_knowledge
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params
from tests.unit.knowledge.conftest import article


class CountingEmbeddings(Embeddings):
    """Wraps the real model and counts how many texts were embedded."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.embedded = 0
        self.name = "counting"

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.matrix(texts)  # type: ignore[attr-defined, no-any-return]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.matrix(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.matrix([text])[0].tolist()  # type: ignore[no-any-return]


def _kb(kb_dir: Path, data_dir: Path, emb: Embeddings) -> KnowledgeBase:
    return KnowledgeBase(KnowledgeConfig(), kb_dir, data_dir, embeddings=emb, params=Params.load())


def test_incremental_reingest(small_kb: Path, tmp_path: Path, embeddings: Embeddings) -> None:
    emb = CountingEmbeddings(embeddings)
    kb = _kb(small_kb, tmp_path / "var", emb)
    first = kb.ingest()
    assert first.added == 5 and first.unchanged == 0 and first.articles == 5
    total = emb.embedded
    assert kb.ingest().unchanged == 5 and emb.embedded == total  # nothing changed: nothing embedded

    article(small_kb, "webhooks", "Set up a webhook endpoint", "Add the URL under Settings > Webhooks. New text.")
    (small_kb / "passwort.md").unlink()
    article(small_kb, "sso", "Single sign-on", "SAML SSO is on the Enterprise plan.")
    report = kb.ingest()
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)
    assert report.version != first.version
    assert 0 < emb.embedded - total < 10  # only the two new/changed articles' keys
    assert kb.languages() == frozenset({"en"})


async def test_second_process_loads_the_stored_version_without_embedding(
    small_kb: Path, tmp_path: Path, embeddings: Embeddings
) -> None:
    kb1 = _kb(small_kb, tmp_path / "var", embeddings)
    kb1.ingest()
    emb = CountingEmbeddings(embeddings)
    emb.name = embeddings.name  # type: ignore[attr-defined]  # same model: same version
    kb2 = _kb(small_kb, tmp_path / "var", emb)
    report = kb2.ingest()
    assert report.version == kb1.version and emb.embedded == 0
    ans = await kb2.answer(Question("I forgot my password", "en"))
    assert ans.articles[0].article_id == "reset-password"


def test_reload_if_changed(small_kb: Path, tmp_path: Path, embeddings: Embeddings) -> None:
    kb = _kb(small_kb, tmp_path / "var", embeddings)
    kb.ingest()
    assert kb.reload_if_changed() is False
    article(small_kb, "status", "Status page", "See status.example for incidents.")
    assert kb.reload_if_changed() is True
    assert "status" in {a.id for a in kb.articles()}


def test_replica_follows_a_version_built_elsewhere(small_kb: Path, tmp_path: Path, embeddings: Embeddings) -> None:
    a = _kb(small_kb, tmp_path / "var", embeddings)
    b = _kb(small_kb, tmp_path / "var", embeddings)
    a.ingest()
    b.ingest()
    article(small_kb, "status", "Status page", "See status.example for incidents.")
    a.ingest()
    assert b.reload_if_changed() is True and b.version == a.version


def test_open_knowledge_uses_config(small_kb: Path, tmp_path: Path) -> None:
    kb = open_knowledge(KnowledgeConfig(top_k=2), small_kb, tmp_path / "var")
    assert kb.version and len(kb.articles()) == 5
    assert (tmp_path / "var" / "knowledge").is_dir()


def test_progress_bar_ingest(small_kb: Path, tmp_path: Path, embeddings: Embeddings) -> None:
    from knowledge.progress import ingest_with_progress

    kb = _kb(small_kb, tmp_path / "var", embeddings)
    report = ingest_with_progress(kb, force=True)
    assert report.articles == 5 and kb.version == report.version
