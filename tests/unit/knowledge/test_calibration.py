"""Confidence that transfers: the global recalibration is tied to its parameters, the per-KB self-calibration is
fitted on probes held out from the KB itself and stored with the index, and the relevance gate."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from knowledge.base import KnowledgeBase, Retrieval
from knowledge.calibration import HOLD_OUT_EVERY, hold_out, probe_kb
from knowledge.confidence import PARAMS_FILE, Params, platt_features, recalibration_file
from knowledge.documents import Article, split_passages
from knowledge.platt import Platt, SelfCalibration
from knowledge.relevance import is_relevant
from knowledge.retriever import RANK_FEATURES, Ranked, Ranking
from tests.unit.knowledge.conftest import EXAMPLE_KB


def _article(i: int, questions: tuple[str, ...] = ()) -> Article:
    body = (
        f"# Topic {i}\n\nTopic {i} is about widgets number {i}.\n\n## Set up widget {i}\n\n"
        f"Open the panel and press the button for widget {i} to start it.\n\n## Remove widget {i}\n\n"
        f"Select widget {i} in the list and choose Delete to remove it for good.\n"
    )
    return Article(
        f"a{i}", f"Topic {i}", body, questions=questions, passages=split_passages(f"a{i}", f"Topic {i}", body)
    )


def test_a_probe_is_held_out_of_its_article() -> None:
    with_questions = _article(1, ("how do I set up widget 1", "can widget 1 be removed", "is widget 1 free"))
    kept, text, kind = hold_out(with_questions, fold=0) or (with_questions, "", "")
    assert kind == "known questions" and text in with_questions.questions
    assert text not in kept.questions and len(kept.questions) == 2 and kept.body == with_questions.body

    sections = _article(2)
    kept, text, kind = hold_out(sections, fold=0) or (sections, "", "")
    assert kind == "sections" and text  # a sentence of a section that is no longer in the article
    assert text.split()[0] in sections.body and text not in kept.body
    assert len(kept.passages) == len(sections.passages) - 1

    single = Article("s", "Single", "Only one paragraph here.", passages=split_passages("s", "Single", "Only one."))
    assert hold_out(single, fold=0) is None  # nothing to spare: it stays whole, and gives no probe


def test_probes_are_deterministic_and_some_articles_leave_entirely() -> None:
    articles = [_article(i) for i in range(40)]
    kept, probes, source = probe_kb(articles, fold=0)
    assert source == "sections"
    assert (kept, probes) == probe_kb(articles, fold=0)[:2]
    gone = {p.article_id for p in probes if not p.answerable}
    assert 0 < len(gone) < 40 / HOLD_OUT_EVERY * 3  # about one in eight
    assert not gone & {a.id for a in kept}  # an unanswerable probe's article is not in the probe index
    assert probe_kb(articles, fold=1)[1] != probes  # another fold holds out other parts


def test_global_recalibration_only_for_the_weights_it_was_fitted_on(tmp_path: Path) -> None:
    shipped = Params.load()
    assert set(shipped.recalibration) == {"base", "classifier"}, (
        "knowledge/recalibration.json was fitted for other parameters: run python -m bench.fit_recalibration --write"
    )
    params = tmp_path / "params.json"
    shutil.copy(PARAMS_FILE, params)
    data = json.loads(recalibration_file(PARAMS_FILE).read_text())
    data["base"]["params_fingerprint"] = "refitted"
    recalibration_file(params).write_text(json.dumps(data))
    loaded = Params.load(params)
    assert set(loaded.recalibration) == {"classifier"}  # the stale one is off: the set's own calibration alone
    assert loaded.global_platt(has_classifier=False) is None


def test_platt_features_read_agreement_and_coverage() -> None:
    feats = np.zeros(len(RANK_FEATURES), np.float32)
    for name in ("bm_top", "bms_top", "d_top"):
        feats[RANK_FEATURES.index(name)] = 1.0
    ranking = Ranking((Ranked(0, 1.0, 0.9, feats),), 0, 0, 3.0)
    x = platt_features(ranking, 0.5, 0.75)
    assert x.tolist() == [0.0, 0.75, 0.75]
    assert Platt((1.0, 0.0, 0.0), 0.0).apply(x) == pytest.approx(0.5)


def test_the_example_kb_self_calibrates_at_ingest_and_stores_it(
    tmp_path: Path, make_kb: Callable[..., KnowledgeBase], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = make_kb(EXAMPLE_KB, tmp_path / "data", calibration="self")
    en = kb.retrieve("how do I reset my password", "en")
    assert en is not None and en.index.calibration is not None
    cal = en.index.calibration
    assert cal.source == "known questions" and cal.probes >= 60 and 0 < cal.right < cal.probes
    assert "en: self-calibrated on" in kb.calibration_note()
    assert "de: global calibration" in kb.calibration_note()  # 3 German articles: too few probes, global one
    stored = list((tmp_path / "data").rglob("calibration-en-customer-*.json"))
    loaded = SelfCalibration.load(stored[0]) if len(stored) == 1 else None
    assert loaded is not None and (loaded.probes, loaded.right, loaded.source) == (cal.probes, cal.right, cal.source)
    assert loaded.platt.weights == pytest.approx(cal.platt.weights, abs=1e-5)

    def refit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the stored calibration should have been loaded")

    monkeypatch.setattr("knowledge.base.fit_self_calibration", refit)
    again = make_kb(EXAMPLE_KB, tmp_path / "data", calibration="self")
    reloaded = again.retrieve("how do I reset my password", "en")
    assert reloaded is not None and reloaded.confidence == pytest.approx(en.confidence, abs=1e-4)


def _retrieval(features: dict[str, float], confidence: float, body: str) -> Retrieval:
    feats = np.zeros(len(RANK_FEATURES), np.float32)
    for name, value in features.items():
        feats[RANK_FEATURES.index(name)] = value
    ranking = Ranking((Ranked(0, 1.0, 0.5, feats),), 0, -1, 3.0)
    index = SimpleNamespace(articles=[Article("a", "Failed payments", body)])
    return Retrieval(cast(Any, index), ranking, confidence, np.zeros(4, np.float32))


def test_lexical_agreement_makes_a_code_question_relevant() -> None:
    body = "If the API returns 402 Payment Required, your last payment failed. Update your card."
    question = "api is returning 402 payment required all of a sudden"
    # Unrelated by the static embedding (codes and numbers), but three lexical retrievers and the words agree.
    agreed = _retrieval({"d_max": 0.3, "bm_top": 1, "bms_top": 1, "bmk_top": 1}, 0.2, body)
    assert is_relevant(agreed, question, "en", 0.5)
    two = _retrieval({"d_max": 0.3, "bm_top": 1, "bms_top": 1}, 0.2, body)
    assert not is_relevant(two, question, "en", 0.5)  # two correlated lexical retrievers are not enough
    off = _retrieval({"d_max": 0.3, "bm_top": 1, "bms_top": 1, "bmk_top": 1}, 0.2, body)
    assert not is_relevant(off, "is there a mobile app for ios", "en", 0.5)  # agreement without the words


def test_agreeing_retrievers_with_a_middling_ranking_count_as_relevant() -> None:
    body = "Invitations: an invite link is valid for 7 days. Resend it from Settings > Members."
    question = "invited someone last week and they say the link doesn't work anymore"
    agreed = {"d_max": 0.36, "d_top": 1, "bms_top": 1}
    assert is_relevant(_retrieval(agreed, 0.56, body), question, "en", 0.5)
    assert not is_relevant(_retrieval(agreed, 0.3, body), question, "en", 0.5)  # unsure, unrelated, few words
