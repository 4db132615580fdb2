"""How long `frontdesk report` and the Monday digest take on a busy desk's week: synthetic stored records
(conversations over 20 teams, 200 channels, 3 languages, with votes, CSAT, drafts and handoffs).

    python -m bench.metrics_speed [--conversations 20000]

Prints seconds for: the headline metrics, the breakdowns by team / language / channel, and composing the
all-teams digest (failed questions, article performance). Pure computation over loaded records; loading from the
database is measured separately (`--sqlite`) by bulk-inserting the rows and timing `load_records`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Address, Handoff, HandoffStatus, Platform, Ticket
from bot.metrics.compute import Records, breakdown, compute, load_records

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def synthetic(conversations: int, seed: int = 7) -> Records:
    rng = random.Random(seed)
    decisions: list[DecisionRecord] = []
    feedback: list[FeedbackEntry] = []
    tickets: list[Ticket] = []
    questions = [f"how do I configure feature {n} for my workspace?" for n in range(400)]
    for c in range(conversations):
        key = f"slack:T:C{c % 200:03d}:{c}"
        at = NOW - timedelta(days=14) + timedelta(seconds=rng.randrange(14 * 86400))
        team, language = f"team{c % 20}", rng.choice(("en", "en", "de", "es"))
        article = f"kb-{rng.randrange(600)}"
        for turn in range(rng.choice((1, 1, 2, 3))):
            n = len(decisions) + 1
            roll = rng.random()
            kind, reason, arts = ("answer", "answered", (article,)) if roll < 0.6 else (
                ("escalate", rng.choice(("no_knowledge", "low_confidence", "asked_for_human")), ()) if roll < 0.85
                else ("draft", "pre_approval", (article,)))
            decisions.append(DecisionRecord(n, key, f"m{n}", kind, reason, 0.8, language, arts,
                                            at + timedelta(minutes=turn), rng.choice(questions), "reply",
                                            True, team, key.split(":")[2], 900, 80))
            if kind in ("escalate", "draft"):
                tickets.append(Ticket(f"t{n}", key, Address(Platform.SLACK, "T", key.split(":")[2], str(c)),
                                      Handoff("", reason, team), status=HandoffStatus.RESOLVED,
                                      created_at=at, claimed_at=at + timedelta(minutes=5),
                                      resolved_at=at + timedelta(minutes=25)))
                feedback.append(FeedbackEntry("csat", key, "u", at + timedelta(hours=1), score=rng.randint(1, 5)))
                break
        if rng.random() < 0.3:
            feedback.append(FeedbackEntry("helpful", key, "u", at + timedelta(minutes=2), helpful=rng.random() < 0.7,
                                          article_ids=(article,)))
    return Records(decisions, tickets, feedback)


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


@asynccontextmanager
async def seeded_sqlite(records: Records) -> AsyncIterator[Any]:
    """A throwaway SQLite store (migrated) holding `records`' decisions and feedback, bulk-inserted; closed on exit.
    Shared by the benches that time reading stored history back."""
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
                 "helpful": f.helpful, "score": f.score, "rewrote": f.rewrote, "article_ids": list(f.article_ids)}
                for f in records.feedback])
        try:
            yield store
        finally:
            await store.close()


async def sqlite_load(records: Records) -> float:
    async with seeded_sqlite(records) as store:
        start = time.perf_counter()
        await load_records(store, NOW - timedelta(days=14))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20000)
    parser.add_argument("--sqlite", action="store_true", help="also time loading the decisions from SQLite")
    args = parser.parse_args()
    from scheduler.digest import compose

    records, made = timed(lambda: synthetic(args.conversations))
    since = NOW - timedelta(days=7)
    _, headline = timed(lambda: compute(records, since, NOW))
    _, parts = timed(lambda: [breakdown(records, d, since, NOW) for d in ("team", "language", "channel")])
    _, digest = timed(lambda: compose(records, NOW, team=None))
    out = {
        "conversations": args.conversations,
        "decisions": len(records.decisions),
        "feedback": len(records.feedback),
        "tickets": len(records.tickets),
        "headline_s": round(headline, 3),
        "breakdowns_s": round(parts, 3),
        "digest_s": round(digest, 3),
    }
    if args.sqlite:
        out["sqlite_load_s"] = round(asyncio.run(sqlite_load(records)), 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
