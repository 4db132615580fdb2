"""The question model: trained only where known questions exist, bounded, stored with the version, and unable to
carry an internal article into a customer channel."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core.types import Audience, Question
from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.classifier import QuestionModel, training_rows
from knowledge.confidence import PARAMS_FILE, Params
from knowledge.documents import Article
from knowledge.embeddings import WordLlamaEmbeddings
from knowledge.retriever import RANK_FEATURES
from tests.unit.knowledge.conftest import article
from tests.unit.knowledge.test_answer import ADVERSARIAL


def _classifier_only(params: Params) -> Params:
    """Parameters under which the ranking is the question model's alone (every other weight 0)."""
    weights = np.zeros(len(RANK_FEATURES), np.float32)
    weights[RANK_FEATURES.index("clf")] = 10.0
    base = params.for_index(True)
    return replace(params, classifier=replace(base, rank_weights=weights))


def _kb(
    kb_dir: Path,
    embeddings: WordLlamaEmbeddings,
    data_dir: Path | None = None,
    params: Params | None = None,
    **cfg: object,
) -> KnowledgeBase:
    kb = KnowledgeBase(
        KnowledgeConfig(**cfg),  # type: ignore[arg-type]
        kb_dir,
        data_dir,
        embeddings=embeddings,
        params=params or Params.load(),
    )
    kb.ingest()
    return kb


def test_shipped_params_use_the_classifier() -> None:
    params = Params.load()
    assert params.classifier is not None
    assert params.classifier.rank_weights[RANK_FEATURES.index("clf")] != 0


def test_trained_per_scope_without_internal_classes(small_kb: Path, embeddings: WordLlamaEmbeddings) -> None:
    kb = _kb(small_kb, embeddings)
    customer = kb._indexes[("en", Audience.CUSTOMER)]
    agents = kb._indexes[("en", Audience.INTERNAL)]
    assert customer.classifier is not None and agents.classifier is not None
    # One class per article of the scope: the customer model has never seen the internal article.
    assert customer.classifier.coef.shape[0] == len(customer.articles) == 3
    assert all(a.audience is Audience.CUSTOMER for a in customer.articles)
    assert agents.classifier.coef.shape[0] == 4
    scores = customer.classifier.scores("I forgot my password", None)
    assert [a.id for a in customer.articles][int(np.argmax(scores))] == "reset-password"
    # German has a single article: nothing to tell apart, so no model.
    assert kb._indexes[("de", Audience.CUSTOMER)].classifier is None


@pytest.mark.parametrize("text", ADVERSARIAL)
async def test_classifier_path_never_returns_internal_articles_to_customers(
    small_kb: Path, embeddings: WordLlamaEmbeddings, text: str
) -> None:
    kb = _kb(small_kb, embeddings, params=_classifier_only(Params.load()))
    ans = await kb.answer(Question(text, "en", Audience.CUSTOMER))
    ids = [a.article_id for a in ans.articles] + [c.article_id for c in ans.citations]
    assert ids and "internal-discounts" not in ids
    assert "ZEBRA" not in ans.text and all("ZEBRA" not in a.snippet for a in ans.articles)


async def test_classifier_path_ranks_for_agents(small_kb: Path, embeddings: WordLlamaEmbeddings) -> None:
    kb = _kb(small_kb, embeddings, params=_classifier_only(Params.load()))
    ans = await kb.answer(Question("what discount code can I give a nonprofit", "en", Audience.INTERNAL))
    assert ans.articles[0].article_id == "internal-discounts"
    r = kb.retrieve("how long does a refund take", "en")
    assert r is not None and r.article(0).id == "refunds" and r.ranking.clf_top == r.ranking.hits[0].row


def test_absent_without_questions_or_when_disabled(tmp_path: Path, embeddings: WordLlamaEmbeddings) -> None:
    kb_dir = tmp_path / "kb"
    article(kb_dir, "a", "Billing", "Invoices are sent monthly.")
    article(kb_dir, "b", "Passwords", "Reset it from the sign-in page.", questions=["forgot my password"])
    kb = _kb(kb_dir, embeddings)
    assert kb._indexes[("en", Audience.CUSTOMER)].classifier is None  # one article with questions is not enough
    article(kb_dir, "a", "Billing", "Invoices are sent monthly.", questions=["where is my invoice"])
    kb.ingest()
    index = kb._indexes[("en", Audience.CUSTOMER)]
    assert index.classifier is not None
    r = kb.retrieve("where can I find my invoice", "en")
    assert r is not None and r.ranking.clf_top >= 0
    assert _kb(kb_dir, embeddings, classifier=False)._indexes[("en", Audience.CUSTOMER)].classifier is None


def test_params_without_a_classifier_section_train_nothing(
    small_kb: Path, tmp_path: Path, embeddings: WordLlamaEmbeddings
) -> None:
    data = json.loads(PARAMS_FILE.read_text())
    data.pop("classifier", None)
    for f in ("clf", "clf_top"):
        data["rank_weights"].pop(f, None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    params = Params.load(path)  # a file fitted before the question model existed still loads
    assert params.classifier is None
    assert params.for_index(True) is params.base
    assert params.base.rank_weights[RANK_FEATURES.index("clf")] == 0
    kb = _kb(small_kb, embeddings, params=params)
    assert kb._indexes[("en", Audience.CUSTOMER)].classifier is None


def test_stored_with_the_version(
    small_kb: Path, tmp_path: Path, embeddings: WordLlamaEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _kb(small_kb, embeddings, tmp_path / "var")
    stored = sorted(p.name for p in (tmp_path / "var").rglob("classifier-*.npz"))
    assert stored == ["classifier-en-customer.npz", "classifier-en-internal.npz"]
    before = first._indexes[("en", Audience.CUSTOMER)].classifier
    assert before is not None

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("a stored question model must be loaded, not retrained")

    from sklearn.svm import LinearSVC

    monkeypatch.setattr(LinearSVC, "fit", no_training)
    second = _kb(small_kb, embeddings, tmp_path / "var")
    after = second._indexes[("en", Audience.CUSTOMER)].classifier
    assert after is not None
    q = embeddings.matrix(["how do I get a refund"])[0]
    np.testing.assert_allclose(
        after.scores("how do I get a refund", q), before.scores("how do I get a refund", q), atol=0.01
    )


def test_load_rejects_a_model_of_another_kb(tmp_path: Path, small_kb: Path, embeddings: WordLlamaEmbeddings) -> None:
    kb = _kb(small_kb, embeddings, tmp_path / "var")
    path = next((tmp_path / "var").rglob("classifier-en-customer.npz"))
    assert QuestionModel.load(path, len(kb._indexes[("en", Audience.CUSTOMER)].articles)) is not None
    assert QuestionModel.load(path, 7) is None
    assert QuestionModel.load(tmp_path / "missing.npz", 3) is None
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    assert QuestionModel.load(tmp_path / "junk.npz", 3) is None


def _articles(n: int, questions: int) -> list[Article]:
    return [
        Article(id=f"a{i}", title=f"Title {i}", body="", questions=tuple(f"q{i}-{j}" for j in range(questions)))
        for i in range(n)
    ]


def test_no_usable_words_means_no_model() -> None:
    arts = [
        Article(id="a", title="?", body="", questions=("!",)),
        Article(id="b", title="1", body="", questions=("?",)),
    ]
    assert QuestionModel.train(arts, np.zeros((0, 0), np.float32), np.zeros(4, np.int8), np.array([0, 2, 4])) is None


def test_training_cost_is_bounded() -> None:
    plan = training_rows(_articles(10, 50))
    assert plan is not None and all(len(rows) == 51 for rows in plan)  # small KB: title and every question
    plan = training_rows(_articles(200, 500))
    assert plan is not None and all(len(rows) == 2_500_000 // (200 * 200) for rows in plan)
    assert sum(map(len, plan)) * 200 <= 2_500_000
    assert training_rows(_articles(2_000, 5)) is None  # too many classes for the budget
    assert training_rows(_articles(10, 0)) is None  # no known questions
