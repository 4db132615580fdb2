"""The 1-5 CSAT question asked when an AI-only conversation ends (after thanks, or after quiet hours), once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.metrics.compute import compute, load_records
from scheduler.context import JobContext
from scheduler.csat import run
from tests.history import GERMAN, open_history


async def test_asks_after_thanks_or_quiet_hours_once_and_the_rating_counts_as_ai_csat(tmp_path: Path) -> None:
    h, _ = await open_history(tmp_path)
    try:
        start = h.now - timedelta(hours=5)
        await h.say("How do I reset my password?", "thanked", at=start)
        await h.say("thanks!", "thanked", at=start + timedelta(minutes=1))
        await h.say("Where is my invoice?", "quiet", at=start + timedelta(minutes=2))  # 5 h quiet (> 2 h)
        await h.say("Wie setze ich mein Passwort zurück?", "de", channel=GERMAN, language="de", at=start)
        await h.say("How do I reset my password?", "recent", at=h.now - timedelta(minutes=30))  # may go on
        await h.say("I want to talk to a human", "person", at=start)  # a person's resolution asks instead
        h.clock.now = h.now
        ctx = JobContext.of(h.app, h.clock)
        sent_before = len(h.outbox.sent)
        assert await run(ctx) == "Asked 3 customers to rate an AI-answered conversation (1-5)."
        asked = {a.thread: r for a, r in h.outbox.sent[sent_before:]}
        assert set(asked) == {"thanked", "quiet", "de"}
        assert asked["thanked"].text.startswith("Did that answer your question?")
        assert asked["de"].text.startswith("Hat das Ihre Frage beantwortet?")  # the customer's language
        assert [a.value for a in asked["quiet"].actions] == ["1", "2", "3", "4", "5"]
        assert await run(ctx) == "Asked 0 customers to rate an AI-answered conversation (1-5)."  # once only
        await h.app.desk.csat("slack:T_HOME:C_SHARED:thanked", h._customer("dana"), 5)
        await h.app.desk.csat("slack:T_HOME:C_SHARED:quiet", h._customer("dana"), 2)
        records = await load_records(h.app.store, h.now - timedelta(days=1))
        m = compute(records, h.now - timedelta(days=1), h.now + timedelta(minutes=1), h.app.config.metrics)
        assert (m.csat_ai, m.csat_ai_n, m.csat_ai_mean) == (0.5, 2, 3.5)
    finally:
        await h.app.close()


async def test_one_unreachable_channel_does_not_stop_the_rest(tmp_path: Path) -> None:
    h, _ = await open_history(tmp_path)
    try:
        await h.say("How do I reset my password?", "a", at=h.now - timedelta(hours=3))
        h.clock.now = h.now
        h.outbox.fail = True
        ctx = JobContext.of(h.app, h.clock)
        assert await run(ctx) == "Asked 0 customers to rate an AI-answered conversation (1-5)."
        h.outbox.fail = False
        assert await run(ctx) == "Asked 1 customer to rate an AI-answered conversation (1-5)."  # tried again
    finally:
        await h.app.close()


async def test_an_unhappy_ai_conversation_is_asked_too_once_it_is_quiet(tmp_path: Path) -> None:
    h, _ = await open_history(tmp_path)
    try:
        start = h.now - timedelta(hours=3)
        await h.say("Where is my invoice?", "b", at=start)
        await h.helpful("b", False, at=start + timedelta(minutes=1))  # the AI asks to clarify; the customer leaves
        h.clock.now = h.now
        assert await run(JobContext.of(h.app, h.clock)) == "Asked 1 customer to rate an AI-answered conversation (1-5)."
    finally:
        await h.app.close()
