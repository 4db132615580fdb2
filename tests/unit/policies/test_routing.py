"""Routing: collaboration mode resolution, rollout share, VIPs, hybrid complexity, topic teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bot.core.ports import History, Proceed, Stop
from bot.core.types import Answer, ArticleHit, ChannelPolicy, InboundKind, Mode, Priority
from policies import default_config
from policies.config import TeamConfig
from policies.escalation import LanguagePhrases
from policies.routing import (
    AnswerTeam,
    Topics,
    TopicTeam,
    effective_mode,
    noted_team,
    share_bucket,
    thread_team,
)
from tests.unit.policies.conftest import make_ctx

D0 = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("explicit", "default", "age_days", "approval_days", "expected"),
    [
        (None, "ai-first", 0, 30, Mode.PRE_APPROVAL),
        (None, "ai-first", 29, 30, Mode.PRE_APPROVAL),
        (None, "ai-first", 30, 30, Mode.AI_FIRST),
        (None, "hybrid", 45, 30, Mode.HYBRID),
        (None, "ai-first", 0, 0, Mode.AI_FIRST),
        ("ai-first", "ai-first", 0, 30, Mode.AI_FIRST),
        (Mode.AGENT_FIRST, "ai-first", 2, 30, Mode.AGENT_FIRST),
        ("parallel", "ai-first", 100, 30, Mode.PARALLEL),
        (None, "off", 0, 30, Mode.OFF),
        (None, Mode.AGENT_FIRST, 3, 30, Mode.PRE_APPROVAL),
    ],
)
def test_effective_mode(explicit: Any, default: Any, age_days: int, approval_days: int, expected: Mode) -> None:
    today = date.fromordinal(D0.toordinal() + age_days)
    assert effective_mode(explicit, default, D0, today, approval_days) is expected


def test_effective_mode_rejects_unknown_modes() -> None:
    with pytest.raises(ValueError):
        effective_mode("robot-first", "ai-first", D0, D0, 30)


def test_share_is_deterministic_and_proportional() -> None:
    ids = [f"U{i:05d}" for i in range(4000)]
    assert [share_bucket(i) for i in ids] == [share_bucket(i) for i in ids]
    inside = sum(share_bucket(i) < 0.3 for i in ids) / len(ids)
    assert 0.27 < inside < 0.33
    assert share_bucket("U1", "a") != share_bucket("U1", "b")


def test_share_routes_the_rest_to_humans(step: Callable[[str], Any]) -> None:
    channel = ChannelPolicy(ai_share=0.3)
    outcomes = {
        c: step("share").check(make_ctx("hi", customer=c, channel=channel))
        for c in ("U1", "U2", "U3", "U4", "U5", "U6")
    }
    for customer, outcome in outcomes.items():
        ai = share_bucket(customer) < 0.3
        assert isinstance(outcome, Proceed) is ai
        if not ai:
            assert isinstance(outcome, Stop) and outcome.reason == "routing"
    assert step("share").check(make_ctx("hi", channel=ChannelPolicy(ai_share=1.0))) == Proceed()
    assert isinstance(step("share").check(make_ctx("hi", channel=ChannelPolicy(ai_share=0.0))), Stop)


def test_vip_goes_straight_to_humans(step: Callable[[str], Any]) -> None:
    outcome = step("vip").check(make_ctx("How do I reset my password?", vip=True))
    assert isinstance(outcome, Stop) and outcome.reason == "vip" and outcome.priority is Priority.HIGH
    assert isinstance(step("vip").check(make_ctx("hi")), Proceed)


@pytest.mark.parametrize(
    ("mode", "complexity", "stops"),
    [(Mode.HYBRID, 0.1, False), (Mode.HYBRID, 0.9, True), (Mode.AI_FIRST, 0.9, False), (Mode.HYBRID, None, False)],
)
def test_hybrid_sends_complex_questions_to_humans(
    step: Callable[[str], Any], mode: Mode, complexity: float | None, stops: bool
) -> None:
    outcome = step("hybrid").check(make_ctx("q", channel=ChannelPolicy(mode=mode), complexity=complexity))
    assert isinstance(outcome, Stop) is stops
    if stops:
        assert isinstance(outcome, Stop) and outcome.reason == "routing" and outcome.detail == "complex"


TEAMS = {"billing": TeamConfig(topics=["invoice", "billing", "plans"]), "security": TeamConfig(topics=["sso", "saml"])}


def _topic_team() -> TopicTeam:
    """The topic step with the shipped failure and "human please" phrases, as `build_policies` wires it."""
    shipped = default_config().escalation
    return TopicTeam(Topics.of(TEAMS), LanguagePhrases.of({**shipped.failure_phrases}))


BILLING_ARTICLE = ArticleHit("billing-change-plan", "Change your plan", 0.9, team="plans")
SUPPORT_ARTICLE = ArticleHit("account-reset-password", "Reset your password", 0.9, team="support")


@pytest.mark.parametrize(
    ("text", "earlier", "articles", "expected"),
    [
        # The message's own words.
        ("Our SSO login fails with SAML errors", (), (), "security"),
        ("Our SSO login fails", ("Where is my invoice?",), (BILLING_ARTICLE,), "security"),
        ("Where can I download our invoices?", (), (), "billing"),  # plain plurals of a topic count
        # No topic in the message: the latest earlier customer message that names one.
        ("still broken", ("Where is my invoice?",), (), "billing"),
        ("still broken", ("Where is my invoice?", "SAML is set up", "hm"), (), "security"),
        ("", ("Where is my invoice?",), (), "billing"),  # a button press
        # No topic anywhere in the customer's words: the team of the article the AI last cited (tag mapped).
        ("that didn't help", ("How do I change my plan?",), (BILLING_ARTICLE,), "billing"),
        ("human please", ("How do I reset my password?",), (SUPPORT_ARTICLE,), "support"),
        # Nothing to go on: no team noted (the channel's or the default team answers).
        ("still broken", ("hello",), (), ""),
        # A new question is not a follow-up: the thread's team is not its team (the channel's answers instead).
        ("what is the capital of France", ("Where is my invoice?",), (BILLING_ARTICLE,), ""),
        ("My card expires next month, what should I do", ("How do I set up SAML?",), (), ""),
        # ...unless it carries a failure or a request for a person, whatever its length.
        ("I tried that and it didn't help at all", ("Where is my invoice?",), (), "billing"),
    ],
)
def test_topic_team(text: str, earlier: tuple[str, ...], articles: tuple[ArticleHit, ...], expected: str) -> None:
    kind = InboundKind.MESSAGE if text else InboundKind.HUMAN_REQUEST
    ctx = make_ctx(text, kind=kind, history=History(customer_texts=earlier, last_articles=articles))
    outcome = _topic_team().check(ctx)
    assert isinstance(outcome, Proceed)
    noted = outcome.context.notes.get("team", "") if outcome.context is not None else ""
    assert noted == expected, (text, earlier)


def test_a_new_question_notes_the_thread_team_apart() -> None:
    ctx = make_ctx("what is the capital of France", history=History(customer_texts=("Where is my invoice?",)))
    outcome = TopicTeam(Topics.of(TEAMS)).check(ctx)
    assert isinstance(outcome, Proceed) and outcome.context is not None
    assert noted_team(outcome.context) == "" and thread_team(outcome.context) == "billing"
    assert "not used" in outcome.detail


def test_topic_team_says_where_the_team_came_from() -> None:
    ctx = make_ctx("still broken", history=History(customer_texts=("Where is my invoice?",)))
    assert TopicTeam(Topics.of(TEAMS)).check(ctx).detail == "billing (earlier message)"
    ctx = make_ctx("still broken", history=History(customer_texts=("hi",), last_articles=(BILLING_ARTICLE,)))
    assert TopicTeam(Topics.of(TEAMS)).check(ctx).detail == "billing (last cited article)"


@pytest.mark.parametrize(
    ("answer_team", "noted", "expected"),
    [("plans", "", "billing"), ("billing", "security", "billing"), ("", "security", "security"), ("misc", "", "misc")],
)
def test_answer_team_from_article_tags(answer_team: str, noted: str, expected: str) -> None:
    ctx = make_ctx("q", notes={"team": noted} if noted else None)
    outcome = AnswerTeam(Topics.of(TEAMS)).check(ctx, Answer("a", 0.9, team=answer_team))
    team = outcome.answer.team if isinstance(outcome, Proceed) and outcome.answer else answer_team
    assert team == expected


@pytest.mark.parametrize(("noted", "expected"), [("", ""), ("security", "security")])
def test_an_irrelevant_answer_says_nothing_about_the_team(noted: str, expected: str) -> None:
    ctx = make_ctx("what is the capital of France", notes={"team": noted} if noted else None)
    outcome = AnswerTeam(Topics.of(TEAMS)).check(ctx, Answer("a", 0.2, team="plans", relevant=False))
    assert isinstance(outcome, Proceed) and outcome.answer is not None and outcome.answer.team == expected
