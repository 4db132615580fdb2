"""`frontdesk eval`: the question-file format, its validation, and the summary metrics.

Shared by the CLI (questions through the full engine) and bench/ (questions straight to the knowledge chain), so
both report the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.errors import KnowledgeError
from knowledge.jsonl import json_objects


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    id: str
    text: str
    expected: tuple[str, ...]  # acceptable article ids; () means the right move is to escalate
    language: str | None = None
    # Facts the reply should quote ("30 days"): an answer counts as containing the fact when its reply contains any
    # one of them (alternative wordings), compared case- and spacing-insensitively.
    answer_contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One question's outcome: the `--out` line."""

    id: str
    decision: str  # answer | escalate | draft | ignore
    reason: str
    confidence: float | None
    articles: tuple[str, ...]
    reply: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "decision": self.decision,
            "reason": self.reason,
            "confidence": self.confidence,
            "articles": list(self.articles),
            "reply": self.reply,
        }


def load_questions(path: Path) -> list[EvalQuestion]:
    if not path.is_file():
        raise KnowledgeError(f"{path}: questions file not found")
    out: list[EvalQuestion] = []
    seen: set[str] = set()
    raw = path.read_text(encoding="utf-8")
    for where, row in json_objects(raw, str(path), shape="an object with id, text, expected"):
        qid, text = row.get("id"), row.get("text")
        if not isinstance(qid, str | int) or str(qid) == "":
            raise KnowledgeError(f"{where}: field 'id': required")
        if str(qid) in seen:
            raise KnowledgeError(f"{where}: field 'id': {qid!r} appears twice")
        seen.add(str(qid))
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeError(f"{where}: field 'text': required, a non-empty string")
        if "expected" not in row:
            raise KnowledgeError(f"{where}: field 'expected': required (an article id, a list of ids, or null)")
        exp = row["expected"]
        if exp is None:
            expected: tuple[str, ...] = ()
        elif isinstance(exp, str) and exp:
            expected = (exp,)
        elif isinstance(exp, list) and exp and all(isinstance(e, str) and e for e in exp):
            expected = tuple(exp)
        else:
            raise KnowledgeError(f"{where}: field 'expected': must be an article id, a non-empty list of ids, or null")
        lang = row.get("language")
        if lang is not None and not isinstance(lang, str):
            raise KnowledgeError(f"{where}: field 'language': must be a language code such as 'en'")
        facts = row.get("answer_contains", [])
        if not isinstance(facts, list) or not all(isinstance(f, str) and f.strip() for f in facts):
            raise KnowledgeError(f"{where}: field 'answer_contains': must be a list of non-empty strings")
        if facts and not expected:
            raise KnowledgeError(f"{where}: field 'answer_contains': only for a question with an expected article")
        out.append(EvalQuestion(str(qid), text, expected, lang or None, tuple(facts)))
    if not out:
        raise KnowledgeError(f"{path}: no questions")
    return out


def expected_calibration_error(pairs: Iterable[tuple[float, bool]], bins: int = 10) -> float:
    """ECE with equal-width bins: the weighted gap between mean confidence and accuracy per bin."""
    items = list(pairs)
    if not items:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in items if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
        if inside:
            conf = sum(c for c, _ in inside) / len(inside)
            acc = sum(1 for _, ok in inside if ok) / len(inside)
            total += len(inside) / len(items) * abs(conf - acc)
    return total


def contains_fact(reply: str, facts: Sequence[str]) -> bool:
    """Whether `reply` quotes one of `facts`, ignoring case, spacing and emphasis marks (a list may re-wrap it, a
    platform may render **bold** or `code`)."""

    def flat(text: str) -> str:
        return " ".join(text.replace("*", "").replace("`", "").casefold().split())

    return any(flat(f) in flat(reply) for f in facts)


def summarize(questions: Sequence[EvalQuestion], rows: Sequence[EvalRow], threshold: float = 0.70) -> dict[str, Any]:
    """Top-1 accuracy (answerable questions), answer rate (all questions, and on the answerable ones), resolved rate
    (answered with the right article, share of answerable), escalation recall on `expected: null`, confident-wrong
    rate (answered and wrong, share of answered), the share of answers whose reply contains the expected fact
    (questions with `answer_contains`) and ECE of the confidence.

    Only a reply that cites an article counts as an answer: a policy's stock reply ("Hi! What can I help you
    with?", "could you tell me more?") answers nothing from the KB, and counting it would make a greeting in the
    question file look like a confidently wrong answer. Such replies are reported apart as `policy_replies`."""
    by_id = {r.id: r for r in rows}
    answerable = [q for q in questions if q.expected]
    unanswerable = [q for q in questions if not q.expected]

    def right(q: EvalQuestion, r: EvalRow) -> bool:
        return bool(q.expected) and bool(r.articles) and r.articles[0] in q.expected

    top1 = sum(right(q, by_id[q.id]) for q in answerable)
    answered = [q for q in questions if by_id[q.id].decision == "answer" and by_id[q.id].articles]
    policy_replies = sum(1 for r in rows if r.decision == "answer" and not r.articles)
    wrong_answers = sum(not right(q, by_id[q.id]) for q in answered)
    escalated_null = sum(by_id[q.id].decision == "escalate" for q in unanswerable)
    calib = [
        (by_id[q.id].confidence or 0.0, right(q, by_id[q.id])) for q in questions if by_id[q.id].confidence is not None
    ]
    confident = [(c, ok) for c, ok in calib if c >= threshold]
    with_facts = [q for q in answered if q.answer_contains]
    with_fact = sum(contains_fact(by_id[q.id].reply, q.answer_contains) for q in with_facts)
    resolved = sum(right(q, by_id[q.id]) for q in answered)
    return {
        "questions": len(questions),
        "top1_accuracy": round(top1 / len(answerable), 4) if answerable else None,
        "answer_rate": round(len(answered) / len(questions), 4) if questions else None,
        "escalation_recall": round(escalated_null / len(unanswerable), 4) if unanswerable else None,
        "confident_wrong_rate": round(wrong_answers / len(answered), 4) if answered else None,
        "answer_rate_answerable": (
            round(sum(1 for q in answered if q.expected) / len(answerable), 4) if answerable else None
        ),
        "resolved_rate": round(resolved / len(answerable), 4) if answerable else None,
        "answer_contains_rate": round(with_fact / len(with_facts), 4) if with_facts else None,
        "precision_at_threshold": round(sum(ok for _, ok in confident) / len(confident), 4) if confident else None,
        "ece": round(expected_calibration_error(calib), 4) if calib else None,
        "policy_replies": policy_replies,
        "decisions": {k: sum(1 for r in rows if r.decision == k) for k in ("answer", "escalate", "draft", "ignore")},
    }
