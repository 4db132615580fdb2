"""`kb audit`: duplicates, conflicting figures, staleness, metadata, audience gaps, per-article performance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from bot.core.ports import DecisionRecord, FeedbackEntry
from knowledge.audit import run_audit, stats_from_records
from knowledge.base import KnowledgeBase
from knowledge.facts import Quantity, quantities
from tests.unit.knowledge.conftest import article

TODAY = date(2026, 11, 28)


def _audit(kb: KnowledgeBase, **kw: object):  # type: ignore[no-untyped-def]
    s = kb._stored
    return run_audit(s.articles, s.vectors, s.kinds, today=TODAY, **kw)  # type: ignore[arg-type]


def test_finds_planted_problems(tmp_path: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    body = (
        "# Refunds\n\nAnnual plans can be refunded in full within {n} days of purchase. Monthly plans are not "
        "refunded. Refunds reach the card in 5 to 10 business days."
    )
    article(tmp_path, "refunds", "Refund policy", body.format(n=14), tags=["billing"])
    article(tmp_path, "refunds-old", "Refunds", body.format(n=30), tags=["billing"])
    article(
        tmp_path,
        "copy-a",
        "Invite teammates",
        "# Invite teammates\n\nOpen Settings, then Members, then Invite. Enter their email addresses and pick "
        "a role. They get an email with a link that expires in 7 days.",
        tags=["account"],
    )
    article(
        tmp_path,
        "copy-b",
        "Inviting teammates",
        "# Invite teammates\n\nOpen Settings, then Members, then Invite. Enter their email addresses and pick "
        "a role. They get an email with a link that expires in 7 days.",
        tags=["account"],
    )
    article(tmp_path, "old", "Legacy API", "The v1 API is deprecated.", updated="2024-03-01", tags=["API v1"])
    article(
        tmp_path,
        "runbook",
        "On-call runbook",
        "Page the on-call engineer.",
        audience=None,
        team="",
        tags=[],
        subdir="internal",
    )
    kb = make_kb(tmp_path)
    report = _audit(kb, review_days=180)
    by_kind: dict[str, list[tuple[str, ...]]] = {}
    for f in report.findings:
        by_kind.setdefault(f.kind, []).append(f.articles)
    assert any(set(a) == {"refunds", "refunds-old"} for a in by_kind["conflict"])
    assert any(set(a) == {"copy-a", "copy-b"} for a in by_kind["duplicate"])
    assert ("old",) in by_kind["stale"] and ("refunds",) not in by_kind["stale"]
    assert ("old",) in by_kind["metadata"]  # "API v1" is not a valid tag
    audience = [f for f in report.findings if f.kind == "audience"]
    assert audience and audience[0].articles == ("runbook",) and audience[0].severity == "error"
    assert ("runbook",) in by_kind["metadata"]  # no tags, no team
    assert "conflict" not in {f.kind for f in report.findings if "copy-a" in f.articles}
    assert report.stats is None and "never_cited" not in by_kind


def test_allowed_tags(tmp_path: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    article(tmp_path, "a", "A", "Text one.", tags=["billing", "refunds"])
    kb = make_kb(tmp_path)
    report = _audit(kb, allowed_tags=["billing"])
    assert any(f.kind == "metadata" and "refunds" in f.message for f in report.findings)


def test_quantities_by_kind_and_what_is_not_a_figure() -> None:
    def kinds(text: str) -> list[tuple[str, float]]:
        return [(q.kind, q.value) for q in quantities(text)]

    assert kinds("Professional costs $10 per user per month; Enterprise is $2.5k a year.") == [
        ("money/user/month", 10.0),
        ("money/year", 2500.0),
    ]
    assert kinds("A 14-day trial, or two weeks.") == [("duration", 14.0), ("duration", 14.0)]
    assert kinds("Files up to 100 MB; 99.9% uptime; up to 1,000 users.") == [
        ("size", 100e6),
        ("percent", 99.9),
        ("count:user", 1000.0),
    ]
    assert quantities("Support ends on August 15, 2026.") == [
        Quantity("date", date(2026, 8, 15).toordinal(), "August 15, 2026")
    ]
    # Versions, code, URLs, clock formats and bare numbers are not figures.
    assert not quantities("From v11.5 (or 2.43.0), set `max_size=10` at https://x.example/3 in 24-hour format.")
    assert not quantities("Press 3 then 4.")


def test_conflicts_need_one_subject_and_markup_never_conflicts(
    tmp_path: Path, make_kb: Callable[..., KnowledgeBase]
) -> None:
    article(tmp_path, "trial", "Free trial", "# Trial\n\nYour Cloud free trial lasts 30 days, no card needed.")
    article(tmp_path, "plans", "Plans", "# Plans\n\nEvery new Cloud workspace starts with a 14-day free trial.")
    # Different plans (names), different versions, code and tab markup: not conflicts.
    article(tmp_path, "pro", "Professional", "The Professional plan costs $10 per user per month, billed yearly.")
    article(tmp_path, "ent", "Enterprise", "The Enterprise plan costs $25 per user per month, billed yearly.")
    article(tmp_path, "v1", "Release 1", "## v1.2.0\n\nDetails are posted on the security page 30 days after release.")
    article(tmp_path, "v2", "Release 2", "## v2.0.0\n\nDetails are posted on the security page 14 days after release.")
    tabs = (
        '<div class="tabs"><ul class="nav-tabs"><li><a href="#a" role="tab">Mac 14</a></li></ul>'
        '<div id="a" role="tabpanel">\n\nSet `timeout = {n}` seconds in the config file.\n\n</div></div>\n\n'
        "```\nretries: {n} days\n```\n"
    )
    article(tmp_path, "tab-a", "Config A", tabs.format(n=5))
    article(tmp_path, "tab-b", "Config B", tabs.format(n=9))
    report = _audit(make_kb(tmp_path))
    conflicts = [set(f.articles) for f in report.findings if f.kind == "conflict"]
    assert conflicts == [{"trial", "plans"}]


def test_mostly_markup_pages_are_named(tmp_path: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    styled = "<style>" + "table td { border: 1px solid #888; padding: 6px; }\n" * 40 + "</style>\n\nOne line of text."
    article(tmp_path, "styled", "Styled", styled)
    article(tmp_path, "plain", "Plain", "A page of plain text, written as help.")
    report = _audit(make_kb(tmp_path))
    assert [f.articles for f in report.findings if f.kind == "markup"] == [("styled",)]


def _decision(i: int, conv: str, kind: str, ids: tuple[str, ...], minute: int) -> DecisionRecord:
    return DecisionRecord(
        id=i,
        conversation_key=conv,
        message_id=f"m{i}",
        kind=kind,
        reason="r",
        confidence=0.9,
        language="en",
        article_ids=ids,
        at=datetime(2026, 11, 1, 10, minute, tzinfo=UTC),
    )


def test_performance_from_decisions_and_feedback(tmp_path: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    decisions = [
        _decision(1, "c1", "answer", ("refunds", "x"), 0),
        _decision(2, "c1", "escalate", (), 5),
        _decision(3, "c2", "answer", ("refunds",), 1),
        _decision(4, "c3", "draft", ("reset",), 2),
    ]
    at = datetime(2026, 11, 1, 11, tzinfo=UTC)
    feedback = [
        FeedbackEntry("helpful", "c2", "u", at, helpful=True, decision_id=3),
        FeedbackEntry("helpful", "c1", "u", at, helpful=False, article_ids=("refunds",)),
        FeedbackEntry("rewrite", "c3", "agent", at, rewrote=True, decision_id=4),
    ]
    stats = stats_from_records(decisions, feedback)
    assert stats["refunds"].cited == 2 and stats["refunds"].escalations_after == 1
    assert stats["refunds"].helpful_rate == 0.5
    assert stats["reset"].rewrites_after == 1
    article(tmp_path, "refunds", "Refunds", "Text.")
    article(tmp_path, "reset", "Reset", "Text.")
    article(tmp_path, "unused", "Unused", "Text.")
    report = _audit(make_kb(tmp_path), stats=stats)
    assert [f.articles for f in report.findings if f.kind == "never_cited"] == [("unused",)]
    assert report.to_json()["performance"]["refunds"]["cited"] == 2
