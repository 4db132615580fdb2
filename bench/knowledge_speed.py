"""Ingest time and peak memory for a 10k-article KB (the Mattermost docs repeated with distinct ids), and decision
latency per message through the full engine (policies + knowledge chain + in-memory store) on that KB.

    python -m bench.knowledge_speed [--articles 10000] [--messages 400] [--embedder wordllama|minilm]

Ingest runs in a child process so its peak RSS is its own (resource.getrusage of the child); its CPU time is printed
beside the wall time, because on a shared machine the wall time is mostly the machine's load. A second child then
ingests the unchanged folder again (what every server start and `kb ingest` re-run does: files are hashed, their
stored articles reused); the latency phase opens the KB as the server does, from that stored index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.datasets import ROOT, mattermost


def write_markdown(n: int, folder: Path, questions: int = 0) -> Path:
    """The scaled docs as Markdown; with `questions`, each article also gets that many known questions made from its
    section headings (repeated copies get the same ones: the hardest case for the question model's training)."""
    case = mattermost(scale_to=n)
    folder.mkdir(parents=True, exist_ok=True)
    for a in case.articles:
        meta = {k: a[k] for k in ("id", "title", "audience", "language", "team", "tags")}
        meta["updated"] = "2026-08-21"
        if questions:
            heads = [line.lstrip("#").strip() for line in str(a["body"]).splitlines() if line.startswith("## ")]
            meta["questions"] = [f"how do I {h.lower()}" for h in (heads or [str(a["title"])])[:questions]]
        head = "\n".join(f"{k}: {json.dumps(v)}" for k, v in meta.items())
        (folder / f"{str(a['id']).replace('/', '__')}.md").write_text(
            f"---\n{head}\n---\n{a['body']}\n", encoding="utf-8"
        )
    return folder


def child_ingest(kb_dir: str, data_dir: str, embedder: str = "wordllama") -> None:
    from knowledge import KnowledgeConfig, open_knowledge

    t, cpu = time.perf_counter(), time.process_time()
    config = KnowledgeConfig(embedder=embedder)  # type: ignore[arg-type]
    kb = open_knowledge(config, Path(kb_dir), Path(data_dir), ingest=False)
    report = kb.ingest()
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    keys = sum(len(v) for v in kb._stored.vectors)
    models = sum(1 for index in {id(i): i for i in kb._indexes.values()}.values() if index.classifier is not None)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "articles": report.articles,
                "keys": keys,
                "question_models": models,
                "parsed": getattr(report, "parsed", -1),
            }
        )
    )


async def latency(kb_dir: Path, data_dir: Path, messages: int, embedder: str = "wordllama") -> dict[str, float]:
    from dataclasses import replace

    from bot.bootstrap import bootstrap, channel_defaults
    from bot.core.types import Actor, Address, Inbound, Mode, Platform
    from bot.settings import Settings
    from bot.store.memory import MemoryStore

    settings = Settings().model_copy(update={"kb_dir": kb_dir, "data_dir": data_dir})
    config = settings.load_config()
    config = config.model_copy(update={"knowledge": config.knowledge.model_copy(update={"embedder": embedder})})
    defaults = replace(channel_defaults(config, settings), mode=Mode.AI_FIRST, approval_days=0)
    started = time.perf_counter()
    app = await bootstrap(settings, config=config, store=MemoryStore(defaults))
    start_seconds = time.perf_counter() - started
    texts = [json.loads(x)["text"] for x in (ROOT / "examples" / "questions.jsonl").read_text().splitlines()]
    texts += [
        "how do I mute a channel",
        "can I edit a message after sending it",
        "how do I start a call in a direct message",
        "where do I change my notification settings",
        "how do I search for messages from one person",
    ]
    times = []
    try:
        for i in range(messages):
            thread = uuid.uuid4().hex
            inbound = Inbound(
                message_id=thread,
                address=Address(Platform.WEB, "bench", "bench", thread),
                author=Actor(f"c{i}", "Customer", "bench", is_external=True),
                text=texts[i % len(texts)],
                received_at=datetime.now(UTC),
                language="en",
            )
            t = time.perf_counter()
            await app.dispatcher.submit(inbound)
            times.append((time.perf_counter() - t) * 1000)
    finally:
        await app.close()
    times.sort()
    warm = times[len(times) // 10 :] if len(times) > 20 else times  # the first calls pay imports
    warm.sort()
    return {
        "p50_ms": warm[len(warm) // 2],
        "p99_ms": warm[min(len(warm) - 1, int(len(warm) * 0.99))],
        "max_ms": warm[-1],
        "messages": float(len(warm)),
        "start_s": start_seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--questions", type=int, default=0, help="known questions per article (question model cost)")
    ap.add_argument("--ingest-only", action="store_true", help="no latency phase (compare ingest alone)")
    ap.add_argument("--embedder", default="wordllama")
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        child_ingest(args.child[0], args.child[1], embedder=args.embedder)
        return
    tmp = Path(tempfile.mkdtemp(prefix="fd-speed-"))
    kb_dir = write_markdown(args.articles, tmp / "kb", args.questions)
    data_dir = tmp / "var"

    def child() -> dict[str, float]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.knowledge_speed",
                "--child",
                str(kb_dir),
                str(data_dir),
                "--embedder",
                args.embedder,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        out: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
        return out

    ingest = child()
    ingest["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"ingest: {ingest['articles']} articles ({ingest['parsed']} files parsed), {ingest['keys']} dense keys in "
        f"{ingest['seconds']:.1f} s ({ingest['cpu_seconds']:.1f} s CPU), peak RSS {ingest['peak_rss_mb']:.0f} MB, question models trained: "
        f"{ingest['question_models']}",
        flush=True,
    )
    again = child()
    print(
        f"re-ingest, nothing changed: {again['seconds']:.1f} s ({again['cpu_seconds']:.1f} s CPU, "
        f"{again['parsed']} files parsed)",
        flush=True,
    )
    if args.ingest_only:
        return
    lat = asyncio.run(latency(kb_dir, data_dir, args.messages, args.embedder))
    print(
        f"decision latency (full engine, {int(lat['messages'])} messages after warm-up; engine start "
        f"{lat['start_s']:.1f} s): p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
