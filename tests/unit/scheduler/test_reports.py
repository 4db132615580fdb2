"""The monthly deep-dive and the annual audit composed from hand-built records: each number checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.metrics.compute import Records
from scheduler import annual, deep_dive

RUN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the 1st: the deep-dive covers November
n = 0


def d(key: str, kind: str, at: datetime, *, article: str = "", reason: str = "answered", team: str = "support",
      language: str = "en", text: str = "q") -> DecisionRecord:
    global n
    n += 1
    return DecisionRecord(n, key, f"m{n}", kind, reason, 0.9, language, (article,) if article else (), at, text=text,
                          reply="a" if kind == "answer" else "", team=team, channel="C1")


def test_months_are_calendar_months_oldest_first() -> None:
    spans = deep_dive.months(RUN)
    assert [(a.month, b.month) for a, b in spans] == [(8, 9), (9, 10), (10, 11), (11, 12)]
    assert deep_dive.months(datetime(2026, 1, 15, tzinfo=UTC), 1) == [
        (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))]


def test_deep_dive_sets_the_month_beside_the_three_before() -> None:
    nov, oct_ = datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC)
    decisions = [
        d("o1", "answer", oct_, article="reset"),                                    # October: 1 of 1 resolved
        d("n1", "answer", nov, article="reset"),                                     # November: resolved
        d("n2", "answer", nov, article="invoices", team="billing", language="de"),  # voted not helpful
        d("n3", "escalate", nov, reason="no_knowledge", text="Do you support carrier pigeons?"),
        d("n4", "escalate", nov, reason="no_knowledge", text="Do you support carrier pigeons?"),
    ]
    feedback = [FeedbackEntry("helpful", "n2", "U1", nov + timedelta(minutes=1), helpful=False),
                FeedbackEntry("qa_grade", "n2", "U_QA", nov + timedelta(days=1), reason="wrong",
                              decision_id=decisions[2].id, article_ids=("invoices",), edited_text="Wrong menu")]
    text = deep_dive.compose(Records(decisions, [], feedback), RUN,
                             kb_changes=[("invoices", date(2026, 11, 20)), ("reset", date(2026, 3, 1))])
    assert text.startswith("*Frontdesk monthly deep-dive — November 2026*")
    assert "Metric: Aug · Sep · Oct · Nov" in text
    assert "Conversations: 0 · 0 · 1 · *4*" in text
    assert "AI resolution: — · — · 100% · *25%*" in text
    assert "• billing: 1 conversation, AI resolution 0%" in text and "• de: 1 conversation" in text
    assert "Escalation reasons: nothing in the knowledge base 2" in text
    assert "Knowledge gaps: “Do you support carrier pigeons?” ×2" in text
    assert "*QA grades:* 1 answer graded — 0 good, 0 need work, 1 wrong; good 0%" in text
    assert "• invoices: 1 wrong, 0 need work, 0 good — “Wrong menu”" in text
    assert "*Knowledge base changes:* 1 article updated in November\n• invoices (invoices), 20 Nov" in text


def test_annual_audit_lists_the_year_uncited_articles_and_quiet_policies() -> None:
    run = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    decisions = [
        d("a", "answer", datetime(2026, 3, 5, tzinfo=UTC), article="reset"),
        d("b", "escalate", datetime(2026, 7, 5, tzinfo=UTC), reason="sensitive:billing_dispute"),
        d("c", "answer", datetime(2025, 6, 5, tzinfo=UTC), article="invoices"),  # the year before: not counted
    ]
    text = annual.compose(Records(decisions, [], []), run, articles=["reset", "invoices", "sso"],
                          sensitive=["billing_dispute", "legal_threat", "privacy"])
    assert text.startswith("*Frontdesk annual audit — Jan 2026 to Dec 2026*")
    assert "• Mar 2026: 1 conversation, AI resolution 100%" in text and "• Jul 2026: 1 conversation" in text
    assert "Whole year: 2 conversations, AI resolution 50%" in text
    assert "*Articles never cited this year:* 2 of 3\n• invoices\n• sso" in text
    assert "*Sensitive-topic policies never triggered:* legal_threat, privacy" in text
    assert "Handoff reasons this year: sensitive: a billing dispute 1" in text
