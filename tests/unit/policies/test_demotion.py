"""Article demotion as a rule (`judge`) and as the output step before the confidence gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.demotion import Demotion
from bot.core.errors import ConfigError
from bot.core.ports import Proceed, Stop
from bot.core.types import Answer, ArticleHit, ChannelPolicy
from bot.settings import load_config
from policies.demotion import Demote, DemotionConfig, judge
from policies.escalation import Confidence
from tests.unit.policies.conftest import make_ctx

CONFIG = DemotionConfig(window_days=30, min_votes=5, max_helpful_rate=0.5, penalty=0.3)


@pytest.mark.parametrize(
    ("helpful", "rated", "demoted"),
    [
        (2, 9, True),  # 22% helpful over enough votes
        (0, 5, True),  # exactly min_votes
        (0, 4, False),  # too few votes to judge
        (3, 6, False),  # 50% is not below the bar
        (2, 5, True),  # 40%
        (9, 9, False),
    ],
)
def test_judge_needs_enough_votes_and_a_low_helpful_rate(helpful: int, rated: int, demoted: bool) -> None:
    result = judge("refunds", helpful, rated, CONFIG, team="billing")
    assert (result is not None) is demoted
    if result is not None:
        assert result == Demotion("refunds", helpful, rated, 30, "billing")
        assert result.describe() == f"article refunds demoted: {helpful}/{rated} helpful in 30 days"


def test_judge_never_demotes_when_switched_off() -> None:
    assert judge("refunds", 0, 50, replace_config(enabled=False)) is None


def replace_config(**changes: object) -> DemotionConfig:
    return CONFIG.model_copy(update=changes)


def _answer(article: str, confidence: float) -> Answer:
    return Answer("text", confidence, (ArticleHit(article, article.title(), 0.9),))


def test_a_demoted_top_article_loses_the_penalty_and_the_gate_says_why() -> None:
    demotion = Demotion("refunds", 2, 9, 30)
    ctx = replace(make_ctx("can I get a refund?"), demoted={"refunds": demotion}, channel=ChannelPolicy(threshold=0.7))
    outcome = Demote(0.3).check(ctx, _answer("refunds", 0.85))
    assert isinstance(outcome, Proceed) and outcome.answer is not None and outcome.context is not None
    assert outcome.answer.confidence == pytest.approx(0.55)
    assert "article refunds demoted: 2/9 helpful in 30 days" in outcome.detail
    gate = Confidence().check(outcome.context, outcome.answer)
    assert isinstance(gate, Stop) and gate.reason == "low_confidence"
    assert gate.detail == "0.55 < 0.70; article refunds demoted: 2/9 helpful in 30 days"


def test_answers_citing_other_articles_are_untouched_and_confidence_never_goes_negative() -> None:
    ctx = replace(make_ctx("q"), demoted={"refunds": Demotion("refunds", 0, 6, 30)})
    untouched = Demote(0.3).check(ctx, _answer("invoices", 0.9))
    assert untouched == Proceed()
    floor = Demote(0.3).check(ctx, _answer("refunds", 0.1))
    assert isinstance(floor, Proceed) and floor.answer is not None and floor.answer.confidence == 0.0
    # Only the article the answer quotes (the first) counts; a demoted runner-up does not lower the answer.
    two = Answer("t", 0.9, (ArticleHit("invoices", "I", 0.9), ArticleHit("refunds", "R", 0.4)))
    assert Demote(0.3).check(ctx, two) == Proceed()


def test_a_confident_enough_demoted_answer_still_goes_out() -> None:
    ctx = replace(make_ctx("q"), demoted={"refunds": Demotion("refunds", 1, 5, 30)})
    outcome = Demote(0.1).check(ctx, _answer("refunds", 0.95))
    assert isinstance(outcome, Proceed) and outcome.answer is not None and outcome.context is not None
    assert isinstance(Confidence().check(outcome.context, outcome.answer), Proceed)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[demotion]\npenalty = 1.5", "'demotion.penalty'"),
        ("[demotion]\nmin_votes = 0", "'demotion.min_votes'"),
        ("[demotion]\nmax_helpful_rate = 0", "'demotion.max_helpful_rate'"),
        ("[demotion]\nwindow_days = 0", "'demotion.window_days'"),
        ("[demotion]\nenabled = 'sometimes'", "'demotion.enabled'"),
        ("[demotion]\nwindow = 30", "unknown key 'demotion.window'"),
    ],
)
def test_bad_demotion_config_names_the_field(tmp_path: Path, body: str, named: str) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert named in str(info.value) and str(path) in str(info.value)


def test_demotion_defaults_and_a_valid_section(tmp_path: Path) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text("[demotion]\nwindow_days = 14\nmin_votes = 8\nmax_helpful_rate = 0.4\npenalty = 0.25\n")
    section = load_config(path).demotion
    assert (section.enabled, section.window_days, section.min_votes) == (True, 14, 8)
    assert (section.max_helpful_rate, section.penalty) == (0.4, 0.25)
    assert DemotionConfig().penalty == 0.3 and DemotionConfig().enabled
