"""Knowledge-gap clustering on Banking77: how well `knowledge.cluster.group_similar` puts questions of one intent
together and keeps other intents apart, per threshold (prints pairwise precision / recall and cluster counts).

Run: python bench/gap_clusters.py [--intents 20] [--per-intent 8]  (needs ../shared/data/banking77/test.csv)
"""

from __future__ import annotations

import argparse
import csv
import random
from itertools import combinations
from pathlib import Path

from bot.metrics.failures import _similar, _words
from knowledge.cluster import group_similar
from knowledge.embeddings import make_embeddings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77" / "test.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intents", type=int, default=20)
    parser.add_argument("--per-intent", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--embedder", default="wordllama")
    args = parser.parse_args()
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    by_intent: dict[str, list[str]] = {}
    for row in rows:
        by_intent.setdefault(row["category"], []).append(row["text"])
    rng = random.Random(args.seed)
    intents = rng.sample(sorted(by_intent), args.intents)
    items = [(intent, text) for intent in intents for text in rng.sample(by_intent[intent], args.per_intent)]
    rng.shuffle(items)
    texts = [t for _, t in items]
    embeddings = make_embeddings(args.embedder)
    assert embeddings is not None
    truth = {(i, j) for i, j in combinations(range(len(items)), 2) if items[i][0] == items[j][0]}
    print(f"{len(texts)} questions, {args.intents} intents, embedder {args.embedder}")
    print("threshold  clusters  pair-precision  pair-recall")
    baseline: list[list[int]] = []  # the digest's rewordings grouping alone (word overlap), the no-embedder fallback
    for i, text in enumerate(texts):
        words = _words(text)
        group = next((g for g in baseline if _similar(_words(texts[g[0]]), words)), None)
        if group is None:
            baseline.append([i])
        else:
            group.append(i)
    report("words", baseline, truth)
    for threshold in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        report(f"{threshold:.2f}", group_similar(texts, embeddings, threshold), truth)


def report(label: str, groups: list[list[int]], truth: set[tuple[int, int]]) -> None:
    together = {(min(a, b), max(a, b)) for g in groups for a, b in combinations(g, 2)}
    hit = len(together & truth)
    precision = hit / len(together) if together else 1.0
    print(f"{label:>9}  {len(groups):8d}  {precision:14.2f}  {hit / len(truth):11.2f}")


if __name__ == "__main__":
    main()
