"""Frontdesk knowledge package: ingest a KB folder, retrieve per language and audience, answer with confidence.

Importing this package is cheap; faiss, bm25s, wordllama and langchain load inside `open_knowledge`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.config import KnowledgeConfig

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from knowledge.base import IngestReport, KnowledgeBase

__all__ = ["IngestReport", "KnowledgeBase", "KnowledgeConfig", "open_knowledge"]


def open_knowledge(
    config: KnowledgeConfig,
    kb_dir: Path,
    data_dir: Path | None,
    *,
    llm: str | None = None,
    embeddings: Embeddings | None = None,
    chat_model: Any = None,
    persona: str = "",
    progress: bool = False,
    ingest: bool = True,
) -> KnowledgeBase:
    """Build (or load the stored version of) the KB at `kb_dir`; `data_dir` holds the versioned index.

    `llm` is a LangChain model string such as ``openai:gpt-4o-mini`` (FRONTDESK_LLM); `chat_model` passes a ready
    LangChain chat model instead (tests use fake ones). `embeddings` replaces the configured embedder with any
    LangChain `Embeddings`. With `ingest=False` the caller runs `kb.ingest()` itself (to read its report).
    """
    from knowledge.base import KnowledgeBase
    from knowledge.confidence import Params, params_file
    from knowledge.embeddings import make_embeddings

    if embeddings is None:
        embeddings = make_embeddings(config.embedder)
    params = Params.load(Path(config.params_file) if config.params_file else params_file(config.embedder))
    if chat_model is None and llm:
        chat_model = _chat_model(llm)
    kb = KnowledgeBase(
        config, kb_dir, data_dir, embeddings=embeddings, params=params, chat_model=chat_model, persona=persona
    )
    if not ingest:
        return kb
    if progress:
        from knowledge.progress import ingest_with_progress

        ingest_with_progress(kb)
    else:
        kb.ingest()
    return kb


def _chat_model(llm: str) -> Any:
    """LangChain's `init_chat_model`, with its errors (unknown provider, missing integration package, no API key)
    turned into one configuration message that names FRONTDESK_LLM."""
    from langchain.chat_models import init_chat_model

    from bot.core.errors import ConfigError

    try:
        return init_chat_model(llm)
    except (ImportError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"FRONTDESK_LLM={llm!r} cannot be used: {first} (use provider:model, e.g. openai:gpt-4o-mini with "
            "`pip install langchain-openai`, or unset FRONTDESK_LLM for the extractive answerer)"
        ) from None


def __getattr__(name: str) -> Any:
    if name in ("KnowledgeBase", "IngestReport"):
        from knowledge import base

        return getattr(base, name)
    raise AttributeError(name)
