"""The shipped parameter files load, each embedder gets its own, and a broken file is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from knowledge.confidence import CONF_FEATURES, PARAMS_FILE, Params, params_file
from knowledge.retriever import RANK_FEATURES


def test_shipped_params_load_per_embedder() -> None:
    default = Params.load(params_file("wordllama"))
    assert params_file("wordllama") == PARAMS_FILE
    assert default.rank_weights.shape == (len(RANK_FEATURES),)
    assert default.base.conf_weights.shape == (len(CONF_FEATURES),)
    assert default.classifier is not None and default.classifier.conf_weights.shape == (len(CONF_FEATURES),)
    assert "train" in default.source
    minilm = params_file("minilm")
    assert minilm.name == "params-minilm.json"
    assert not (Params.load(minilm).rank_weights == default.rank_weights).all()
    # Fitted before the question model existed: it loads, and MiniLM KBs simply train no classifier.
    assert Params.load(minilm).classifier is None
    assert params_file("none") == PARAMS_FILE


def test_broken_params_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"rank_weights": {}}')
    with pytest.raises(ConfigError, match="p.json"):
        Params.load(bad)
    with pytest.raises(ConfigError, match="not found"):
        Params.load(tmp_path / "missing.json")
