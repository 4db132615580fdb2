"""`bot.metrics.compute` definitions at their edges: the reopen window, cost without prices, the CSAT alert, config errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Address, Handoff, Platform, Ticket
from bot.metrics.compute import Filters, MetricsConfig, Records, breakdown, compute
from bot.metrics.languages import without_articles, without_articles_line
from bot.settings import load_config

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WEEK = (T0 - timedelta(days=1), T0 + timedelta(days=7))


def answer(key: str, at: datetime, n: int, **extra: object) -> DecisionRecord:
    values: dict[str, object] = {"team": "support", "channel": "C1", "language": "en"}
    values.update(extra)
    return DecisionRecord(n, key, f"m{n}", "answer", "answered", 0.9, str(values.pop("language")), ("kb-1",), at,
                          **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("later", "reopened"),
    [(timedelta(hours=2), False), (timedelta(hours=25), True), (timedelta(days=6), True), (timedelta(days=8), False)],
)
def test_a_return_between_a_day_and_the_window_is_a_reopen(later: timedelta, reopened: bool) -> None:
    records = Records([answer("k", T0, 1), answer("k", T0 + later, 2)], [], [])
    m = compute(records, T0 - timedelta(days=1), T0 + timedelta(days=30))
    assert m.conversations == 1
    assert m.ai_resolved == (0 if reopened else 1)


def test_cost_uses_the_recorded_cost_without_prices_and_tokens_with_them() -> None:
    records = Records([answer("k", T0, 1, input_tokens=2_000_000, output_tokens=0, cost_usd=0.5)], [], [])
    assert compute(records, *WEEK).llm_cost == pytest.approx(0.5)
    priced = MetricsConfig(input_price_per_million=0.25)
    assert compute(records, *WEEK, priced).llm_cost == pytest.approx(0.5)
    assert compute(records, *WEEK, MetricsConfig(input_price_per_million=1.0)).cost_per_resolution == pytest.approx(2.0)


def test_csat_alert_when_the_ai_is_five_points_below_humans() -> None:
    ai = [FeedbackEntry("csat", f"k{i}", "u", T0, score=4 if i < 8 else 2) for i in range(10)]  # 80 %
    votes = [FeedbackEntry("helpful", f"k{i}", "u", T0, helpful=False) for i in range(10)]  # votes are not CSAT
    decisions = [answer(f"k{i}", T0, i) for i in range(20)]
    m = compute(Records(decisions, [], ai + votes), *WEEK)
    assert m.csat_ai == pytest.approx(0.8) and m.csat_human is None and not m.csat_alert
    assert (m.csat_ai_n, m.csat_ai_mean) == (10, pytest.approx(3.6))
    tickets = [Ticket(f"t{i}", f"k{i}", Address(Platform.SLACK, "w", "C1", "1"), Handoff("", "vip", "support"))
               for i in range(10, 20)]
    human = [FeedbackEntry("csat", f"k{i}", "u", T0, score=5 if i < 19 else 3) for i in range(10, 20)]  # 90 %
    m = compute(Records(decisions, tickets, ai + human), *WEEK)
    assert m.csat_human == pytest.approx(0.9) and m.csat_gap == pytest.approx(10) and m.csat_alert
    assert not compute(Records(decisions, tickets, ai + human), *WEEK, MetricsConfig(csat_alert_points=11)).csat_alert


def test_conversations_are_sliced_by_their_own_attributes() -> None:
    records = Records([answer("a", T0, 1), answer("b", T0, 2, language="de", channel="C2", team="billing")], [], [])
    assert compute(records, *WEEK, filters=Filters(language="de")).conversations == 1
    assert set(breakdown(records, "channel", *WEEK)) == {"C1", "C2"}
    with pytest.raises(ValueError, match="dimension must be one of"):
        breakdown(records, "weekday", *WEEK)


def test_metrics_config_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text("[metrics]\nagent_cost_per_hour = -3\nprice = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert "'metrics.agent_cost_per_hour'" in str(exc.value) and "unknown key 'metrics.price'" in str(exc.value)


def test_languages_without_articles_count_conversations_once() -> None:
    def handoff(key: str, n: int, language: str) -> DecisionRecord:
        return DecisionRecord(n, key, f"m{n}", "escalate", "language", None, language, (), T0 + timedelta(hours=n))

    records = Records(
        [handoff("a", 1, "ja"), handoff("a", 2, "ja"), handoff("b", 3, "ja"), handoff("c", 4, "tr"),
         answer("d", T0, 5, language="de")],
        [],
        [],
    )
    counts = without_articles(records, *WEEK, MetricsConfig())
    assert counts == {"ja": 2, "tr": 1}
    assert without_articles_line(counts) == "Asked in languages without articles: ja 2, tr 1"
    assert without_articles(records, T0 + timedelta(days=8), T0 + timedelta(days=9), MetricsConfig()) == {}
    assert without_articles_line({}) == ""
