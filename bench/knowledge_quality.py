"""Knowledge quality on the public sets: top-1/top-5/MRR, the single retrievers beside the fusion, calibration
(ECE), confident-wrong share, and CLINC150 out-of-scope escalation recall at a 90% in-scope answer rate.

    python -m bench.knowledge_quality [--embedder wordllama|minilm|none] [--sets banking77,clinc150,stackfaq]

The questions go straight to the knowledge chain (no policies), so the numbers isolate retrieval + confidence;
`frontdesk eval` runs the same question files through the full engine.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import datasets
from bench.knowledge_common import build, metrics, run
from knowledge import KnowledgeConfig
from knowledge.confidence import Params

SETS = {
    "banking77": lambda: datasets.banking77(),
    "banking77-10shot": lambda: datasets.banking77(per_intent=10),
    "clinc150": datasets.clinc150,
    "stackfaq": datasets.stackfaq,
    # The report part only: the fit part tuned the shipped parameters (docs/decisions.md).
    "mattermost": lambda: datasets.mattermost_questions("report"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="wordllama")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--params", help="a parameters file to use instead of the shipped one")
    ap.add_argument(
        "--calibration", choices=("global", "self", "params"), default=None,
        help="global recalibration, per-KB self-calibration fitted at ingest, or the parameters file alone (default: the product's default)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = {}
    for name in args.sets.split(","):
        case = SETS[name]()
        params = Params.load(Path(args.params)) if args.params else None
        config = KnowledgeConfig(embedder=args.embedder)  # type: ignore[arg-type]
        if args.calibration:
            config = config.model_copy(update={"calibration": args.calibration})
        kb, ingest_s = build(case, embedder=args.embedder, params=params, config=config)
        t = time.perf_counter()
        outcomes = run(kb, case)
        per_q = (time.perf_counter() - t) / max(1, len(outcomes))
        m = metrics(outcomes)
        m["ingest_s"] = ingest_s
        m["ms_per_question"] = per_q * 1000
        results[name] = m
        if not args.json:
            print(f"\n{name} ({len(case.articles)} articles, {len(outcomes)} questions, embedder={args.embedder})")
            print(f"  confidence: {kb.calibration_note()}")
            for k, v in m.items():
                print(f"  {k:24s} {v:.4f}" if isinstance(v, float) else f"  {k:24s} {v}")
    if args.json:
        meta = {
            "date": datetime.now(UTC).isoformat(timespec="minutes"),
            "machine": platform.machine(),
            "python": platform.python_version(),
        }
        print(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
