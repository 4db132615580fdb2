"""How long one dashboard request's computation takes on a busy desk (bench/metrics_speed.py's synthetic history):
the headline and previous period, 8 weekly points, per language and team, failed questions, knowledge gaps clustered
with wordllama, poor articles. Pure computation over loaded records; loading is timed by metrics_speed --sqlite.

Run: python -m bench.dashboard_speed [--conversations 20000]
"""

from __future__ import annotations

import argparse
import json

from adapters.web.dashboard.data import Query, build
from bench.metrics_speed import NOW, synthetic, timed
from knowledge.cluster import group_similar
from knowledge.embeddings import WordLlamaEmbeddings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20000)
    args = parser.parse_args()
    records = synthetic(args.conversations)
    embeddings = WordLlamaEmbeddings()
    out: dict[str, object] = {"conversations": args.conversations, "decisions": len(records.decisions)}
    for days in (7, 14):
        data, seconds = timed(lambda d=days: build(records, NOW, Query(days=d),
                                                   cluster=lambda texts: group_similar(texts, embeddings)))
        out[f"dashboard_{days}d_s"] = round(seconds, 3)
        out[f"gaps_{days}d"] = len(data["knowledge_gaps"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
