"""The `[knowledge]` section of frontdesk.toml: how the knowledge base is indexed, retrieved and answered from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class KnowledgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # "wordllama" (bundled static 256-d model, fast), "minilm" (optional extra `frontdesk[minilm]`),
    # "none" (lexical only).
    embedder: Literal["wordllama", "minilm", "none"] = "wordllama"
    top_k: int = Field(default=5, ge=1, le=50)
    # Calibrated confidence below this means "nothing in the KB covers this" (escalate with no_knowledge).
    relevance_floor: float = Field(default=0.35, ge=0.0, le=1.0)
    review_days: int = Field(default=180, ge=1)
    default_language: str = Field(default="en", min_length=2)
    # Train a question model (linear classifier) on articles' known `questions` at ingest and use it in ranking
    # and confidence. Only KBs where at least two articles carry `questions` get one.
    classifier: bool = True
    candidates: int = Field(default=30, ge=2, le=500)  # articles scored per question before the final ranking
    chunk_chars: int = Field(default=1200, ge=200)  # long sections are split further at this size
    answer_sentences: int = Field(default=2, ge=1, le=5)  # extractive answer length
    answer_chars: int = Field(default=400, ge=80)
    duplicate_threshold: float = Field(default=0.93, ge=0.5, le=1.0)  # audit: near-duplicate article similarity
    allowed_tags: list[str] = Field(default_factory=list)  # audit: when set, any other tag is reported invalid
    # Optional override of the shipped ranking/calibration parameters (a JSON file like knowledge/params.json).
    params_file: str = ""
