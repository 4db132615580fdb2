"""Turn the public sets in ../shared/data/ into KB folders (JSONL articles) and question files (`frontdesk eval`
format), following the protocols in issue 3 / the datasets' READMEs.

    python -m bench.datasets            # writes bench/out/<set>/{kb/,questions.jsonl}

Train splits become KB articles (and `questions`); test/val splits become questions. `fit_splits()` gives the
train-only splits bench/fit_params.py fits the shipped parameters on — test splits never reach the fit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FRONTDESK_BENCH_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "out"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    articles: list[dict[str, object]]  # JSONL KB rows
    questions: list[dict[str, object]]  # {id, text, expected, language}


def slug(intent: str) -> str:
    return "".join(c for c in intent if c.isalnum() or c in "_-")


def _intent_article(intent: str, examples: list[str], team: str = "support") -> dict[str, object]:
    name = intent.replace("_", " ").strip().lower()
    return {
        "id": slug(intent),
        "title": name.capitalize(),
        "body": f"# {name.capitalize()}\n\nHelp with {name}.",
        "questions": examples,
        "audience": "customer",
        "language": "en",
        "team": team,
        "tags": [intent.lower().replace(" ", "-")[:40]],
    }


def _by_intent(rows: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for text, intent in rows:
        out[intent].append(text)
    return out


def banking77_rows(split: str) -> list[tuple[str, str]]:
    with open(DATA / "banking77" / f"{split}.csv", newline="", encoding="utf-8") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def clinc_rows() -> dict[str, list[tuple[str, str]]]:
    data = json.loads((DATA / "clinc150" / "data_dev.json").read_text())
    return {k: [(t, i) for t, i in v] for k, v in data.items()}


def banking77(per_intent: int | None = None, seed: int = 0) -> Case:
    """77 intent articles, their train questions as `questions` (optionally only `per_intent` of them); test set."""
    rng = random.Random(seed)
    train = _by_intent(banking77_rows("train"))
    articles = []
    for intent, texts in sorted(train.items()):
        chosen = rng.sample(texts, min(per_intent, len(texts))) if per_intent else texts
        articles.append(_intent_article(intent, chosen))
    qs = [
        {"id": f"b77-{i}", "text": t, "expected": slug(c), "language": "en"}
        for i, (t, c) in enumerate(banking77_rows("test"))
    ]
    suffix = f"-{per_intent}shot" if per_intent else ""
    return Case(f"banking77{suffix}", articles, qs)


def clinc150() -> Case:
    """150 intent articles from train; questions = val (in-scope) + oos_val (expected null: escalate)."""
    rows = clinc_rows()
    train = _by_intent(rows["train"])
    articles = [_intent_article(intent, texts) for intent, texts in sorted(train.items())]
    qs = [
        {"id": f"clinc-{i}", "text": t, "expected": slug(c), "language": "en"} for i, (t, c) in enumerate(rows["val"])
    ]
    qs += [
        {"id": f"clinc-oos-{i}", "text": t, "expected": None, "language": "en"}
        for i, (t, _) in enumerate(rows["oos_val"])
    ]
    return Case("clinc150", articles, qs)


def stackfaq() -> Case:
    """125 thread articles (title = the thread question, body = its answers, no known questions); 1,249 queries."""
    articles = []
    for line in (DATA / "stackfaq" / "faq.jsonl").read_text().splitlines():
        row = json.loads(line)
        answers = "\n\n".join(f"## Answer {i + 1}\n\n{a.strip()}" for i, a in enumerate(row["answers"]))
        articles.append(
            {
                "id": row["faq_id"],
                "title": row["question"].strip(),
                "body": answers,
                "audience": "customer",
                "language": "en",
                "team": "support",
                "tags": ["faq"],
            }
        )
    qs = []
    for line in (DATA / "stackfaq" / "queries.jsonl").read_text().splitlines():
        row = json.loads(line)
        qs.append({"id": row["query_id"], "text": row["query"], "expected": row["faq_id"], "language": "en"})
    return Case("stackfaq", articles, qs)


def mattermost(scale_to: int = 0) -> Case:
    """The Mattermost end-user docs as articles; `scale_to` repeats them with distinct ids (ingest speed/memory)."""
    from knowledge.rst import read_rst

    docs = [json.loads(line) for line in (DATA / "kb_mattermost_docs" / "docs.jsonl").read_text().splitlines()]
    base = []
    for d in docs:
        # The reStructuredText pages are read as ingest reads a `.rst` file (a JSONL body is read as Markdown).
        body = read_rst(d["text"], d["doc_id"]).body if d.get("format") == "rst" else d["text"]
        base.append(
            {
                "id": d["doc_id"].replace(" ", "-"),
                "title": d["title"] or d["doc_id"],
                "body": body,
                "audience": "customer",
                "language": "en",
                "team": d.get("section", "support"),
                "tags": [str(d.get("section", "docs"))],
            }
        )
    articles = list(base)
    copy = 1
    while scale_to and len(articles) < scale_to:
        for a in base:
            if len(articles) >= scale_to:
                break
            articles.append({**a, "id": f"{a['id']}-copy{copy}", "title": f"{a['title']} ({copy})"})
        copy += 1
    return Case(f"mattermost{'-' + str(scale_to) if scale_to else ''}", articles, [])


MATTERMOST_PARTS = ("fit", "report")


def mattermost_part(key: str) -> str:
    """'fit' or 'report' by a fixed hash of `key` (a gold doc id, or an off-KB question's id): about half each."""
    return MATTERMOST_PARTS[hashlib.sha256(key.encode()).digest()[0] % 2]


def mattermost_questions(part: str | None = None) -> Case:
    """The 140 Mattermost docs (no known questions) with the hand-written questions of one part (None: all 200).

    The split is disjoint by gold document (docs/decisions.md, "Mattermost questions: fit vs report"): a question
    belongs to the part of its first gold doc id (sorted), an off-KB question to the part of its own id, so no page
    whose questions tuned the parameters is ever scored in the report part. Both parts run against the whole KB.
    """
    qs = []
    for line in (DATA / "kb_mattermost_docs" / "questions.jsonl").read_text().splitlines():
        row = json.loads(line)
        exp = row["expected"]
        golds = sorted([exp] if isinstance(exp, str) else exp or [])
        key = golds[0] if golds else str(row["id"])
        if part is None or mattermost_part(key) == part:
            expected = [g.replace(" ", "-") for g in golds]
            qs.append({"id": row["id"], "text": row["text"], "expected": expected or None, "language": "en"})
    return Case(f"mattermost-{part or 'all'}", mattermost().articles, qs)


def fit_splits(seed: int = 0, holdout: float = 0.2, unknown_intents: int = 10) -> list[Case]:
    """Train-only cases for fitting: part of each intent's train examples become queries, and a few whole intents
    are removed from the KB so their queries teach the calibration what an unanswerable question looks like.

    Each source is used three times — with all remaining examples as known questions, with 20, and with 4 (what a
    hand-written help-center article carries) — so the fitted confidence holds for KBs with few known questions.
    """
    rng = random.Random(seed)
    cases = []
    sources = {
        "banking77-train": _by_intent(banking77_rows("train")),
        "clinc150-train": _by_intent(clinc_rows()["train"]),
    }
    for name, by_intent in sources.items():
        intents = sorted(by_intent)
        unknown = set(rng.sample(intents, unknown_intents))
        split: dict[str, tuple[list[str], list[str]]] = {}
        for intent in intents:
            texts = list(by_intent[intent])
            rng.shuffle(texts)
            cut = max(1, int(len(texts) * holdout))
            split[intent] = (texts[:cut], texts[cut:])
        for shots in (None, 20, 4):
            articles, qs = [], []
            label = f"{name}-{shots or 'all'}"
            for intent in intents:
                held, kept = split[intent]
                if intent not in unknown:
                    articles.append(_intent_article(intent, kept[:shots] if shots else kept))
                for t in held:
                    qs.append(
                        {
                            "id": f"{label}-{len(qs)}",
                            "text": t,
                            "expected": None if intent in unknown else slug(intent),
                            "language": "en",
                        }
                    )
            if name.startswith("clinc"):
                for t, _ in clinc_rows()["oos_train"]:
                    qs.append({"id": f"{label}-{len(qs)}", "text": t, "expected": None, "language": "en"})
            cases.append(Case(label, articles, qs))
    return cases


def stackfaq_fold(faq_id: str, folds: int = 5) -> int:
    """Threads are split into folds by a fixed hash of their id (queries follow their thread)."""
    return int(faq_id[3:]) * 7919 % folds


def stackfaq_fit_case(fold: int, folds: int = 5, known: int = 0) -> Case:
    """StackFAQ with the threads of `fold` removed from the KB: their queries become unanswerable examples,
    the other threads' queries answerable ones (used only to fit and cross-validate, never for the zero-shot run).

    With `known` > 0 each remaining thread also carries that many of its own queries as known `questions` (and
    they leave the query set): long articles *with* a few known phrasings, like a hand-written help center.
    """
    full = stackfaq()
    by_thread: dict[str, list[str]] = defaultdict(list)
    for q in full.questions:
        by_thread[str(q["expected"])].append(str(q["text"]))
    articles = []
    used: set[str] = set()
    for a in full.articles:
        if stackfaq_fold(str(a["id"]), folds) == fold:
            continue
        phr = by_thread[str(a["id"])][:known] if known else []
        used.update(phr)
        articles.append({**a, "questions": phr} if phr else a)
    qs = [
        {**q, "expected": None if stackfaq_fold(str(q["expected"]), folds) == fold else q["expected"]}
        for q in full.questions
        if q["text"] not in used
    ]
    return Case(f"stackfaq-fit-{fold}{'-q' + str(known) if known else ''}", articles, qs)


def write(case: Case, root: Path = OUT) -> Path:
    folder = root / case.name
    kb = folder / "kb"
    kb.mkdir(parents=True, exist_ok=True)
    (kb / "articles.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in case.articles))
    if case.questions:
        (folder / "questions.jsonl").write_text(
            "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in case.questions)
        )
    return folder


def main() -> None:
    for case in (banking77(), banking77(per_intent=10), clinc150(), stackfaq(), mattermost()):
        print(f"{case.name}: {len(case.articles)} articles, {len(case.questions)} questions -> {write(case)}")


if __name__ == "__main__":
    main()
