"""Retrieval per language with the script-aware tokeniser (`knowledge/tokenize.py`) against plain `\\w+` words.

    .venv/bin/python -m bench.language_retrieval [--shots 10] [--sample 1000]

An intent KB per language (one article per Banking77 intent, `--shots` training questions as its known questions,
the intent's name as title) and that language's test questions: English Banking77, Arabic ArBanking77 (MSA and
Palestinian test files). Prints top-1 of the fused ranking and of BM25 alone, with the shipped tokeniser and with
the old one (`\\w+`, the tokeniser before issue 16), in one run so the two are comparable.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.datasets import DATA, Case, banking77_rows, slug
from bench.knowledge_common import build, run
from knowledge import tokenize as script_words

_OLD = re.compile(r"\w+")


def _old_words(text: str) -> list[str]:
    return _OLD.findall(unicodedata.normalize("NFKC", text).casefold())


@contextmanager
def tokeniser(words: Callable[[str], list[str]]) -> Iterator[None]:
    from knowledge import index, terms

    saved = script_words.words
    script_words.words = words
    index._stem.cache_clear()
    terms._term.cache_clear()
    terms._short_text_terms.cache_clear()
    try:
        yield
    finally:
        script_words.words = saved
        terms._short_text_terms.cache_clear()


def _case(name: str, language: str, train: list[tuple[str, str]], test: list[tuple[str, str]], shots: int) -> Case:
    rng = random.Random(0)
    by_intent: dict[str, list[str]] = defaultdict(list)
    titles: dict[str, str] = {}
    for text, intent in train:
        by_intent[intent].append(text)
    articles = []
    for intent, texts in sorted(by_intent.items()):
        title = titles.get(intent, intent.replace("_", " "))
        articles.append(
            {
                "id": slug(intent),
                "title": title,
                "body": f"# {title}\n\n" + "\n\n".join(rng.sample(texts, min(3, len(texts)))),
                "questions": rng.sample(texts, min(shots, len(texts))),
                "audience": "customer",
                "language": language,
                "team": "support",
            }
        )
    questions = [
        {"id": f"{name}-{i}", "text": t, "expected": slug(c), "language": language} for i, (t, c) in enumerate(test)
    ]
    return Case(name, articles, questions)


def _arabic(file: str) -> list[tuple[str, str]]:
    with open(DATA / "arbanking77" / file, newline="", encoding="utf-8") as fh:
        return [(r["text"], r["banking77_category"]) for r in csv.DictReader(fh)]


def cases(shots: int, sample: int, split: str = "test") -> list[Case]:
    rng = random.Random(1)

    def pick(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return rng.sample(rows, min(sample, len(rows)))

    ar_train = _arabic("MSA_PAL_train.csv")
    if split == "val":  # where tokeniser variants are compared before the test files are read
        return [_case("arbanking77-val", "ar", ar_train, pick(_arabic("MSA_PAL_val.csv")), shots)]
    return [
        _case("banking77-en", "en", banking77_rows("train"), pick(banking77_rows("test")), shots),
        _case("arbanking77-msa", "ar", ar_train, pick(_arabic("MSA_test.csv")), shots),
        _case("arbanking77-pal", "ar", ar_train, pick(_arabic("PAL_test.csv")), shots),
    ]


def measure(case: Case) -> tuple[float, float]:
    kb, _ = build(case)
    outcomes = run(kb, case)
    top1 = sum(bool(o.ranked) and o.ranked[0] in o.expected for o in outcomes) / len(outcomes)
    bm25 = sum(o.bm25_top in o.expected for o in outcomes) / len(outcomes)
    return top1, bm25


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument("--split", default="test", choices=["test", "val"])
    args = parser.parse_args()
    print("| case | n | top-1 (script-aware) | BM25 top-1 (script-aware) | top-1 (\\w+) | BM25 top-1 (\\w+) |")
    print("|---|---|---|---|---|---|")
    for case in cases(args.shots, args.sample, args.split):
        if args.only not in case.name:
            continue
        new = measure(case)
        with tokeniser(_old_words):
            old = measure(case)
        n = len(case.questions)
        print(f"| {case.name} | {n} | {new[0]:.3f} | {new[1]:.3f} | {old[0]:.3f} | {old[1]:.3f} |", flush=True)


if __name__ == "__main__":
    main()
