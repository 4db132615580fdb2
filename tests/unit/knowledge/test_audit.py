"""`kb audit`: duplicates, conflicting figures, staleness, metadata, audience gaps, per-article performance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from bot.core.ports import DecisionRecord, FeedbackEntry
from knowledge.audit import facts, run_audit, stats_from_records
from knowledge.base import KnowledgeBase
from knowledge.embeddings import embed_matrix
from tests.unit.knowledge.conftest import article

TODAY = date(2026, 11, 28)


def _audit(kb: KnowledgeBase, **kw: object):  # type: ignore[no-untyped-def]
    s = kb._stored
    return run_audit(s.articles, s.vectors, s.kinds, today=TODAY, embed=lambda t: embed_matrix(kb.embeddings, t), **kw)  # type: ignore[arg-type]


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


def test_facts_keep_units() -> None:
    ((_, nums, words),) = facts("Exports hold up to 1,000 rows and $29 per month.")
    assert nums == {"1.000row", "$29"}  # units stick to their numbers; "per" is not a unit
    assert "export" in words


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
