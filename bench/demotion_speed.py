"""How long recounting demoted articles takes (`bot.orchestration.demotion.tally` + `judge`) on synthetic stored records: the
work a server does at most every `[demotion] refresh_minutes`, in the background, never per message.

    python -m bench.demotion_speed [--conversations 60000]

Uses `bench.metrics_speed.synthetic` (conversations over 20 teams and 600 articles, with votes, drafts, rewrites and
handoffs). Prints the records counted, the seconds for the recount (best of 3) and the articles it demoted. With
`--sqlite` it also times the whole background recount on a SQLite store (`bot.orchestration.demotion.compute`: loading the
window's decisions and feedback, then counting) and the longest stall of the event loop meanwhile, which is how long
a message arriving during the recount could wait.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta

from bench.metrics_speed import NOW, seeded_sqlite, synthetic
from bot.metrics.compute import Records
from bot.orchestration.demotion import compute, demotions_from, tally
from policies.demotion import DemotionConfig


async def sqlite_recount(records: Records, config: DemotionConfig) -> tuple[float, float]:
    """(seconds for `compute` on SQLite, longest event-loop stall in seconds while it ran)."""
    async with seeded_sqlite(records) as store:
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
    return took, stall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=60_000)
    parser.add_argument("--sqlite", action="store_true", help="also time the recount on a SQLite store")
    parser.add_argument("--slice-hours", type=float, default=None, help="load slice (default: bot.orchestration.demotion's)")
    args = parser.parse_args()
    if args.slice_hours is not None:
        import bot.orchestration.demotion

        bot.orchestration.demotion.LOAD_SLICE = timedelta(hours=args.slice_hours)
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
