"""Each figure of docs/METRICS.md on a small history built by hand: the number a lead reads, checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Address, Handoff, HandoffStatus, Platform, Ticket
from bot.metrics.compute import MetricsConfig, Records, compute
from bot.metrics.text import headline_lines, minutes, money

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WEEK = (T0 - timedelta(days=1), T0 + timedelta(days=7))
PRICED = MetricsConfig(input_price_per_million=1.0, output_price_per_million=0.0, agent_cost_per_hour=60.0)
n = 0


def decision(key: str, kind: str, at: datetime, *, articles: tuple[str, ...] = ("kb-1",), tokens: int = 0,
             reason: str = "answered") -> DecisionRecord:
    global n
    n += 1
    return DecisionRecord(n, key, f"m{n}", kind, reason, 0.9, "en", articles if kind == "answer" else (), at,
                          text="q", reply="a", team="support", channel="C1", input_tokens=tokens)  # type: ignore[call-arg]


def vote(key: str, helpful: bool, at: datetime) -> FeedbackEntry:
    return FeedbackEntry("helpful", key, "U1", at, helpful=helpful)


def csat(key: str, score: int, at: datetime) -> FeedbackEntry:
    return FeedbackEntry("csat", key, "U1", at, score=score)


def ticket(key: str, minutes_taken: int) -> Ticket:
    return Ticket(f"t-{key}", key, Address(Platform.SLACK, "w", "C1", key), Handoff("", "asked_for_human", "support"),
                  status=HandoffStatus.RESOLVED, created_at=T0, claimed_at=T0,
                  resolved_at=T0 + timedelta(minutes=minutes_taken))


def test_deflection_excludes_a_conversation_left_on_a_not_helpful_vote() -> None:
    at = T0 + timedelta(hours=1)
    decisions = [
        decision("happy", "answer", T0),                       # answered, thanked: deflected
        decision("abandoned", "answer", T0),                   # answered, "not helpful", then silence: not deflected
        decision("redeemed", "answer", T0),                    # "not helpful", clarified, then "helpful": deflected
        decision("redeemed", "answer", T0 + timedelta(minutes=5)),
        decision("unhappy", "answer", T0),                     # CSAT 2 at the end: not deflected
        decision("greeting", "respond", T0, reason="greeting"),  # no knowledge-base answer: not deflected
        decision("handed", "escalate", T0, reason="asked_for_human"),  # reached a person: not deflected
    ]
    feedback = [vote("happy", True, at), vote("abandoned", False, at), vote("redeemed", False, T0 + timedelta(minutes=1)),
                vote("redeemed", True, at), csat("unhappy", 2, at)]
    m = compute(Records(decisions, [ticket("handed", 10)], feedback), *WEEK)
    assert (m.conversations, m.deflected) == (6, 2)
    assert m.deflection_rate == pytest.approx(2 / 6)
    assert m.ai_resolved == 1  # "redeemed" had a negative signal on the way: deflected, but not AI-resolved


def test_csat_is_one_1_to_5_scale_for_ai_and_human_conversations() -> None:
    decisions = [decision(k, "answer", T0) for k in ("a1", "a2", "a3")] + [
        decision(k, "escalate", T0, reason="asked_for_human") for k in ("h1", "h2")]
    feedback = [csat("a1", 5, T0), csat("a2", 4, T0), csat("a3", 1, T0), vote("a3", True, T0),  # the vote is not CSAT
                csat("h1", 3, T0), csat("h2", 5, T0)]
    m = compute(Records(decisions, [ticket("h1", 5), ticket("h2", 5)], feedback), *WEEK)
    assert (m.csat_ai, m.csat_ai_n, m.csat_ai_mean) == (pytest.approx(2 / 3), 3, pytest.approx(10 / 3))
    assert (m.csat_human, m.csat_human_n, m.csat_human_mean) == (0.5, 2, 4.0)
    assert m.csat_gap == pytest.approx(-100 / 6)  # humans lower here: no alert
    assert not m.csat_alert


def test_cost_per_resolution_for_the_ai_the_humans_and_both() -> None:
    decisions = [
        decision("ai-ok", "answer", T0, tokens=100_000),    # $0.10, AI-resolved
        decision("ai-bad", "answer", T0, tokens=100_000),   # $0.10, the AI's failure: still the AI's cost
        decision("human", "answer", T0, tokens=200_000),    # $0.20 spent before the person took over
        decision("human", "escalate", T0 + timedelta(minutes=1), reason="asked_for_human"),
    ]
    feedback = [vote("ai-bad", False, T0 + timedelta(minutes=2))]
    m = compute(Records(decisions, [ticket("human", 30)], feedback), *WEEK, PRICED)  # 30 min at $60/h = $30
    assert (m.ai_resolved, m.human_resolved) == (1, 1)
    assert m.cost_per_ai_resolution == pytest.approx(0.20)
    assert m.cost_per_human_resolution == pytest.approx(30.20)
    assert m.cost_per_resolution == pytest.approx(30.40 / 2)
    line = next(line for line in headline_lines(m) if line.startswith("Cost per resolution"))
    assert line.startswith("Cost per resolution: $15.20 overall · AI $0.20 · human $30.20")
    assert "agents 30 min = $30.00" in line


@pytest.mark.parametrize(("value", "shown"), [(None, "—"), (0.0, "$0.00"), (0.0976, "$0.10"), (0.004, "under $0.01"),
                                              (1234.5, "$1,234.50")])
def test_money_as_people_read_it(value: float | None, shown: str) -> None:
    assert money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(0, "0 min"), (0.3, "under 1 min"), (0.6, "1 min"), (65, "1 h 5 min"),
                                              (120, "2 h")])
def test_minutes_as_people_read_them(value: float, shown: str) -> None:
    assert minutes(value) == shown


def test_a_later_unrelated_escalation_does_not_put_a_helpful_article_on_articles_to_fix() -> None:
    from bot.metrics.failures import poor_articles

    decisions = [
        decision("k", "answer", T0, articles=("reset-password",)),
        decision("k", "answer", T0 + timedelta(minutes=5), articles=("invoices",)),
        decision("k", "escalate", T0 + timedelta(minutes=9), reason="asked_for_human"),  # right after "invoices"
    ]
    feedback = [FeedbackEntry("helpful", "k", "U1", T0 + timedelta(minutes=1), helpful=True,
                              decision_id=decisions[0].id, article_ids=("reset-password",))]
    poor = poor_articles(Records(decisions, [], feedback), {"k"}, *WEEK)
    assert [(p.article_id, p.escalations_after) for p in poor] == [("invoices", 1)]


def test_a_failed_question_quotes_the_question_behind_it_not_the_last_message() -> None:
    from bot.metrics.failures import failed_questions

    asked = DecisionRecord(1, "k", "m1", "answer", "answered", 0.9, "en", ("api-keys",), T0,
                           text="Why do my API calls return 401?", reply="Rotate the key.")
    gave_up = DecisionRecord(2, "k", "m2", "escalate", "repeated_failure", None, "en", (), T0 + timedelta(minutes=3),
                             text="still not working, same 401s")
    failed = failed_questions(Records([asked, gave_up], [], []), {"k"}, *WEEK)
    assert [(q.text, dict(q.reasons)) for q in failed] == [("Why do my API calls return 401?", {"repeated_failure": 1})]
