"""Small knowledge bases written per test, and one shared wordllama model (loading it takes ~0.2 s)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params
from knowledge.embeddings import WordLlamaEmbeddings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_KB = ROOT / "examples" / "kb"


def article(
    folder: Path,
    art_id: str,
    title: str,
    body: str,
    *,
    audience: str | None = "customer",
    language: str = "en",
    questions: list[str] | None = None,
    team: str = "support",
    tags: list[str] | None = None,
    updated: str = "2026-09-01",
    subdir: str = "",
) -> Path:
    meta: dict[str, Any] = {"id": art_id, "title": title, "language": language, "updated": updated, "team": team}
    if audience is not None:
        meta["audience"] = audience
    meta["tags"] = tags if tags is not None else ["general"]
    if questions:
        meta["questions"] = questions
    lines = ["---"] + [f"{k}: {json.dumps(v)}" for k, v in meta.items()] + ["---", body]
    path = folder / subdir / f"{art_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def embeddings() -> WordLlamaEmbeddings:
    return WordLlamaEmbeddings()


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    article(
        kb,
        "refunds",
        "Refund policy",
        "# Refund policy\n\nAnnual plans can be refunded within 14 days of purchase. Monthly plans are not "
        "refunded.\n\n## How long it takes\n\nRefunds reach your card within 5 to 10 business days.",
        questions=["can I get my money back", "how long does a refund take"],
        team="billing",
        tags=["billing"],
    )
    article(
        kb,
        "reset-password",
        "Reset your password",
        "# Reset your password\n\nClick Forgot password on the sign-in page and follow the email link. "
        "Links expire after one hour.",
        questions=["I forgot my password", "how do I change my password"],
        tags=["account"],
    )
    article(
        kb,
        "webhooks",
        "Set up a webhook endpoint",
        "# Webhook endpoints\n\nAdd an endpoint URL under Settings > Webhooks. We send a test event right away.",
        questions=["how do I receive events", "add a webhook url"],
        team="integrations",
        tags=["integrations"],
    )
    article(
        kb,
        "internal-discounts",
        "Discount approvals (internal)",
        "# Discount approvals\n\nSales managers approve discounts up to 20 percent. The secret code is "
        "ZEBRA-42 for nonprofit customers.",
        audience="internal",
        questions=["what discount code can I give a nonprofit", "who approves a discount"],
        team="success",
        tags=["internal", "sales"],
        subdir="internal",
    )
    article(
        kb,
        "passwort",
        "Passwort zurücksetzen",
        "# Passwort zurücksetzen\n\nKlicken Sie auf der Anmeldeseite auf Passwort vergessen.",
        language="de",
        questions=["Ich habe mein Passwort vergessen"],
        tags=["account"],
    )
    return kb


@pytest.fixture
def make_kb(embeddings: WordLlamaEmbeddings, tmp_path: Path) -> Callable[..., KnowledgeBase]:
    def make(kb_dir: Path, data_dir: Path | None = None, **config: Any) -> KnowledgeBase:
        kb = KnowledgeBase(KnowledgeConfig(**config), kb_dir, data_dir, embeddings=embeddings, params=Params.load())
        kb.ingest()
        return kb

    return make
