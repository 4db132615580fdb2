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
    # Share of the question's content words the best article must contain (with a semantically related key) for
    # the KB to count as covering it; below, the escalation says no_knowledge rather than low_confidence.
    relevance_floor: float = Field(default=0.5, ge=0.0, le=1.0)
    review_days: int = Field(default=180, ge=1)
    default_language: str = Field(default="en", min_length=2)
    # Train a question model (linear classifier) on articles' known `questions` at ingest and use it in ranking
    # and confidence. Only KBs where at least two articles carry `questions` get one.
    classifier: bool = True
    candidates: int = Field(default=30, ge=2, le=500)  # articles scored per question before the final ranking
    chunk_chars: int = Field(default=1200, ge=200)  # long sections are split further at this size
    # Extractive answer length in the persona's units: a sentence, or a whole list of steps with its intro.
    answer_sentences: int = Field(default=2, ge=1, le=5)
    answer_chars: int = Field(default=700, ge=80)  # a five-step procedure fits; longer ones are left to the link
    duplicate_threshold: float = Field(default=0.93, ge=0.5, le=1.0)  # audit: near-duplicate article similarity
    allowed_tags: list[str] = Field(default_factory=list)  # audit: when set, any other tag is reported invalid
    # "global": the parameters file's calibration, recalibrated on features every KB has by a model fitted on
    # every KB shape (recalibration.json); "self": recalibrated per KB at ingest on probes held out from the KB
    # itself (knowledge/calibration.py; the global one where too few probes); "params": the parameters file alone.
    calibration: Literal["global", "self", "params"] = "global"
    # Optional override of the shipped ranking/calibration parameters (a JSON file like knowledge/params.json).
    params_file: str = ""
