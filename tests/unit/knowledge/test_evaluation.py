"""The eval question format and its summary metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import KnowledgeError
from knowledge.evaluation import EvalQuestion, EvalRow, expected_calibration_error, load_questions, summarize


def test_load_questions(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(
        '{"id": "a", "text": "hi", "expected": "x"}\n\n{"id": 2, "text": "yo", "expected": ["x", "y"],'
        ' "language": "de"}\n{"id": "c", "text": "?", "expected": null}\n',
        encoding="utf-8",
    )
    qs = load_questions(f)
    assert [q.expected for q in qs] == [("x",), ("x", "y"), ()]
    assert qs[1].id == "2" and qs[1].language == "de"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"text": "hi", "expected": "x"}', "id"),
        ('{"id": "a", "expected": "x"}', "text"),
        ('{"id": "a", "text": "hi"}', "expected"),
        ('{"id": "a", "text": "hi", "expected": []}', "expected"),
        ('{"id": "a", "text": "hi", "expected": "x", "language": 3}', "language"),
    ],
)
def test_bad_question_lines_name_line_and_field(tmp_path: Path, line: str, field: str) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "ok", "text": "fine", "expected": null}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"q\.jsonl:2: field '{field}'"):
        load_questions(f)


def test_summary_metrics() -> None:
    qs = [
        EvalQuestion("1", "a", ("x",)),
        EvalQuestion("2", "b", ("y",)),
        EvalQuestion("3", "c", ()),
        EvalQuestion("4", "d", ()),
    ]
    rows = [
        EvalRow("1", "answer", "answered", 0.9, ("x", "y"), "text"),
        EvalRow("2", "answer", "answered", 0.8, ("z",), "text"),  # confidently wrong
        EvalRow("3", "escalate", "no_knowledge", 0.1, ("x",), ""),
        EvalRow("4", "answer", "answered", 0.75, ("x",), "text"),  # should have escalated
    ]
    s = summarize(qs, rows)
    assert s["top1_accuracy"] == 0.5
    assert s["answer_rate"] == 0.75
    assert s["escalation_recall"] == 0.5
    assert s["confident_wrong_rate"] == round(2 / 3, 4)
    assert s["decisions"] == {"answer": 3, "escalate": 1, "draft": 0, "ignore": 0}


def test_only_cited_replies_count_as_answers() -> None:
    """A greeting reply cites nothing: it is neither an answer nor confidently wrong, and not an escalation."""
    qs = [EvalQuestion("1", "how do I reset it", ("x",)), EvalQuestion("2", "hi there", ())]
    rows = [
        EvalRow("1", "answer", "answered", 0.9, ("x",), "text"),
        EvalRow("2", "answer", "greeting", None, (), "Hi! What can I help you with?"),
    ]
    s = summarize(qs, rows)
    assert s["answer_rate"] == 0.5
    assert s["confident_wrong_rate"] == 0.0
    assert s["escalation_recall"] == 0.0
    assert s["policy_replies"] == 1
    assert s["decisions"]["answer"] == 2


def test_ece() -> None:
    assert expected_calibration_error([(0.95, True)] * 19 + [(0.95, False)]) == pytest.approx(0.0, abs=1e-9)
    assert expected_calibration_error([(0.9, False)] * 10) == pytest.approx(0.9)


def test_answer_contains_is_read_and_checked(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(
        '{"id": "a", "text": "how long until data is wiped", "expected": "x", "answer_contains": ["30 days"]}\n'
        '{"id": "b", "text": "refund?", "expected": "y", "answer_contains": ["14 days", "two weeks"]}\n'
        '{"id": "c", "text": "price?", "expected": "y", "answer_contains": ["$49"]}\n'
        '{"id": "d", "text": "no fact", "expected": "y"}\n',
        encoding="utf-8",
    )
    qs = load_questions(f)
    assert qs[1].answer_contains == ("14 days", "two weeks") and qs[3].answer_contains == ()
    rows = [
        EvalRow("a", "answer", "answered", 0.9, ("x",), "Your data is kept for **30  days**, then deleted."),
        EvalRow("b", "answer", "answered", 0.9, ("y",), "You can ask within Two Weeks."),  # an alternative wording
        EvalRow("c", "answer", "answered", 0.9, ("y",), "Starter costs $39 a month."),  # the wrong figure
        EvalRow("d", "escalate", "low_confidence", 0.2, ("y",), ""),
    ]
    s = summarize(qs, rows)
    assert s["answer_contains_rate"] == round(2 / 3, 4)  # over the answers that carry an expectation
    assert s["answer_rate_answerable"] == 0.75
    assert s["resolved_rate"] == 0.75


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "text": "hi", "expected": "x", "answer_contains": "30 days"}',
        '{"id": "a", "text": "hi", "expected": "x", "answer_contains": [""]}',
        '{"id": "a", "text": "hi", "expected": null, "answer_contains": ["30 days"]}',
    ],
)
def test_bad_answer_contains_is_named(tmp_path: Path, line: str) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"q\.jsonl:1: field 'answer_contains'"):
        load_questions(f)
