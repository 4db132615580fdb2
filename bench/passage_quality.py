"""Passage quality: does the reply quote the fact the question asks for, whatever the answer gate decides?

    python -m bench.passage_quality [--sets example,mattermost] [--show]

`frontdesk eval` counts `answer_contains` on the answers the engine actually sends, so a change of the confidence
gate moves it as much as a change of the passage. Here every answerable question with expected facts goes through
the knowledge chain (`KnowledgeBase.answer`, no policies) and the extractive reply is checked, in two shares:
- **all**: the reply quotes one of the expected facts (ranking and passage together);
- **right article**: the same, among questions whose first article is a right one (the passage alone).

Sets:
- `example`: examples/kb with the `answer_contains` of examples/questions.jsonl (the development set of the passage
  rules: these figures were looked at while writing them).
- `mattermost`: the Mattermost report part (bench/datasets.py) with bench/mattermost_answer_facts.jsonl. Those
  facts were written by hand from the gold pages' text (the phrase a reader of the page would quote: a setting's
  name, a shortcut, a limit), before any reply of the system to these questions was read; questions whose answer is
  a bare "Yes." or not one quotable phrase have none. The first measurement (before → after the rules written from
  the example KB) was blind; the later rules were written after reading this set's misses, so it is no longer blind.
- `mattermost-fit`: 29 questions of the Mattermost fit part (the first ones in id order that have one quotable
  fact), facts written the same way after every passage rule was in place, and never used to write or tune one:
  the blind check of the rules above.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from bench import datasets
from bench.knowledge_common import build
from bot.core.types import Question
from knowledge import KnowledgeConfig
from knowledge.base import KnowledgeBase
from knowledge.confidence import Params, params_file
from knowledge.embeddings import make_embeddings
from knowledge.evaluation import contains_fact, load_questions

ROOT = Path(__file__).resolve().parent.parent
MATTERMOST_FACTS = Path(__file__).resolve().parent / "mattermost_answer_facts.jsonl"


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    expected: tuple[str, ...]
    facts: tuple[str, ...]
    language: str = "en"


def example() -> tuple[KnowledgeBase, list[Item]]:
    config = KnowledgeConfig()
    kb = KnowledgeBase(
        config,
        ROOT / "examples" / "kb",
        None,
        embeddings=make_embeddings(config.embedder),
        params=Params.load(params_file(config.embedder)),
    )
    kb.ingest()
    items = [
        Item(q.id, q.text, q.expected, q.answer_contains, q.language or "en")
        for q in load_questions(ROOT / "examples" / "questions.jsonl")
        if q.expected and q.answer_contains
    ]
    return kb, items


def mattermost(part: str = "report") -> tuple[KnowledgeBase, list[Item]]:
    case = datasets.mattermost_questions(part)
    facts = {
        row["id"]: tuple(row["answer_contains"])
        for row in (json.loads(line) for line in MATTERMOST_FACTS.read_text(encoding="utf-8").splitlines() if line)
    }
    kb, _ = build(case)
    items = []
    for q in case.questions:
        qid = str(q["id"])
        if q["expected"] and qid in facts:
            items.append(Item(qid, str(q["text"]), tuple(q["expected"]), facts[qid]))  # type: ignore[arg-type]
    return kb, items


SETS = {"example": example, "mattermost": mattermost, "mattermost-fit": lambda: mattermost("fit")}


def measure(
    kb: KnowledgeBase, items: list[Item], show: bool = False, rows: list[dict[str, object]] | None = None
) -> dict[str, float | int]:
    quoted = right = quoted_right = 0
    for item in items:
        answer = asyncio.run(kb.answer(Question(item.text, item.language)))
        first = answer.articles[0].article_id if answer.articles else ""
        ok = contains_fact(answer.text, item.facts)
        quoted += ok
        if rows is not None:
            rows.append({"id": item.id, "right_article": first in item.expected, "quoted": ok, "reply": answer.text})
        if first in item.expected:
            right += 1
            quoted_right += ok
            if show and not ok:
                print(f"--- {item.id} {item.text!r}: expected one of {list(item.facts)}")
                print("    " + answer.text.replace("\n", "\n    "))
    return {
        "questions": len(items),
        "quoted_all": round(quoted / len(items), 3) if items else 0.0,
        "right_article": right,
        "quoted_right_article": round(quoted_right / right, 3) if right else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--show", action="store_true", help="print the replies that miss their fact (right article)")
    ap.add_argument("--out", type=Path, help="write one JSON line per question here")
    args = ap.parse_args()
    rows: list[dict[str, object]] = []
    for name in args.sets.split(","):
        kb, items = SETS[name]()
        m = measure(kb, items, show=args.show, rows=rows)
        print(
            f"{name}: {m['questions']} questions with facts; reply quotes the fact: all {m['quoted_all']:.3f}, "
            f"right first article {m['quoted_right_article']:.3f} (of {m['right_article']})"
        )
    if args.out is not None:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
