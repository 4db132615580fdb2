"""How long recounting demoted articles takes (`bot.demotion.tally` + `judge`) on synthetic stored records: the
work a server does at most every `[demotion] refresh_minutes`, in the background, never per message.

    python -m bench.demotion_speed [--conversations 60000]

Uses `bench.metrics_speed.synthetic` (conversations over 20 teams and 600 articles, with votes, drafts, rewrites and
handoffs). Prints the records counted, the seconds for the recount (best of 3) and the articles it demoted. With
`--sqlite` it also times the whole background recount on a SQLite store (`bot.demotion.compute`: loading the
window's decisions and feedback, then counting) and the longest stall of the event loop meanwhile, which is how long
a message arriving during the recount could wait.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.metrics_speed import NOW, synthetic
from bot.demotion import compute, demotions_from, tally
from bot.metrics import Records
from policies.demotion import DemotionConfig


async def sqlite_recount(records: Records, config: DemotionConfig) -> tuple[float, float]:
    """(seconds for `compute` on SQLite, longest event-loop stall in seconds while it ran)."""
    from sqlalchemy import insert

    from bot.store.migrate import upgrade
    from bot.store.models import DecisionRow, FeedbackRow
    from bot.store.sql import SqlStore

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade(url)
        store = SqlStore(url)
        async with store.engine.begin() as conn:
            await conn.execute(insert(DecisionRow), [
                {"conversation_key": d.conversation_key, "message_id": d.message_id, "kind": d.kind, "reason": d.reason,
                 "confidence": d.confidence, "language": d.language, "article_ids": list(d.article_ids), "trace": [],
                 "text": d.text, "reply": d.reply, "delivered": True, "at": d.at, "team": d.team, "channel": d.channel,
                 "input_tokens": d.input_tokens, "output_tokens": d.output_tokens, "cost_usd": 0.0}
                for d in records.decisions])
            await conn.execute(insert(FeedbackRow), [
                {"kind": f.kind, "conversation_key": f.conversation_key, "actor_id": f.actor_id, "at": f.at,
                 "helpful": f.helpful, "rewrote": f.rewrote, "article_ids": list(f.article_ids)}
                for f in records.feedback])
        stall, running = 0.0, True

        async def ticker() -> None:
            nonlocal stall
            while running:
                before = time.perf_counter()
                await asyncio.sleep(0.001)
                stall = max(stall, time.perf_counter() - before - 0.001)

        tick = asyncio.create_task(ticker())
        start = time.perf_counter()
        await compute(store, config, NOW)
        took = time.perf_counter() - start
        running = False
        await tick
        await store.close()
    return took, stall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=60_000)
    parser.add_argument("--sqlite", action="store_true", help="also time the recount on a SQLite store")
    parser.add_argument("--slice-hours", type=float, default=None, help="load slice (default: bot.demotion's)")
    args = parser.parse_args()
    if args.slice_hours is not None:
        import bot.demotion

        bot.demotion.LOAD_SLICE = timedelta(hours=args.slice_hours)
    records = synthetic(args.conversations)
    config = DemotionConfig(window_days=30)
    since = NOW - timedelta(days=config.window_days)
    best = float("inf")
    found = []
    for _ in range(3):
        start = time.perf_counter()
        found = demotions_from(tally(records.decisions, records.feedback, since=since), config)
        best = min(best, time.perf_counter() - start)
    print(f"decisions {len(records.decisions)}, feedback {len(records.feedback)}")
    print(f"recount (tally + judge), best of 3: {best:.3f} s")
    print(f"demoted articles: {len(found)}")
    if args.sqlite:
        took, stall = asyncio.run(sqlite_recount(records, config))
        print(f"recount on SQLite (load + count): {took:.2f} s; longest event-loop stall meanwhile: {stall:.3f} s")


if __name__ == "__main__":
    main()
