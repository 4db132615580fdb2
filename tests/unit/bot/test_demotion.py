"""Counting rated answers per article over stored records, promotion, and the server's snapshot."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import NotFound
from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.orchestration.demotion import DemotionBoard, compute, promote, tally
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore
from policies.demotion import DemotionConfig

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
_ids = itertools.count(1)
CONFIG = DemotionConfig(window_days=30, min_votes=3, max_helpful_rate=0.5, penalty=0.3)


def decision(key: str, kind: str, at: datetime, article: str = "", team: str = "support") -> DecisionRecord:
    return DecisionRecord(next(_ids), key, f"m{key}{at}", kind, "r", 0.9, "en", (article,) if article else (), at, team=team)


def vote(key: str, at: datetime, helpful: bool, article: str = "") -> FeedbackEntry:
    return FeedbackEntry("helpful", key, "U1", at, helpful=helpful, article_ids=(article,) if article else ())


def test_each_answer_counts_once_and_any_negative_signal_makes_it_unhelpful() -> None:
    t = NOW - timedelta(days=2)
    records = [
        decision("c1", "answer", t, "refunds"),  # helpful
        decision("c2", "answer", t, "refunds"),  # not helpful, then escalated: one unhelpful answer, not two
        decision("c2", "escalate", t + timedelta(minutes=2)),
        decision("c3", "answer", t, "refunds"),  # escalated right after (asked for a person)
        decision("c3", "escalate", t + timedelta(minutes=1)),
        decision("c4", "answer", t, "refunds"),  # no signal: not rated
        decision("c5", "draft", t, "refunds"),  # the agent rewrote the draft
        decision("c7", "draft", t, "refunds"),  # the agent sent the draft as it was: helpful
        decision("c6", "answer", t, "invoices", team="billing"),  # voted helpful, then an answer, then escalated
        decision("c6", "answer", t + timedelta(minutes=5), "invoices", team="billing"),
        decision("c6", "escalate", t + timedelta(minutes=6)),
    ]
    feedback = [
        vote("c1", t + timedelta(minutes=1), True, "refunds"),
        vote("c2", t + timedelta(minutes=1), False, "refunds"),
        FeedbackEntry("rewrite", "c5", "U_AGENT", t + timedelta(minutes=3), rewrote=True),
        FeedbackEntry("rewrite", "c7", "U_AGENT", t + timedelta(minutes=3), rewrote=False),
        vote("c6", t + timedelta(minutes=1), True, "invoices"),
    ]
    votes = tally(records, feedback, since=SINCE)
    assert (votes["refunds"].helpful, votes["refunds"].rated) == (2, 5)
    assert (votes["invoices"].helpful, votes["invoices"].rated, votes["invoices"].team) == (1, 2, "billing")


def test_answers_before_the_window_or_before_a_promotion_do_not_count() -> None:
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=1)
    records = [
        decision("c1", "answer", old, "refunds"),
        decision("c1", "escalate", old + timedelta(minutes=1)),
        decision("c2", "answer", NOW - timedelta(days=10), "refunds"),
        decision("c2", "escalate", NOW - timedelta(days=10) + timedelta(minutes=1)),
        decision("c3", "answer", recent, "refunds"),
        decision("c3", "escalate", recent + timedelta(minutes=1)),
    ]
    assert tally(records, [], since=SINCE)["refunds"].rated == 2
    promoted = {"refunds": NOW - timedelta(days=5)}
    assert tally(records, [], since=SINCE, promoted=promoted)["refunds"].rated == 1


async def _store_with_bad_article(store: MemoryStore, answers: int = 4) -> None:
    from bot.core.types import Actor, Address, ArticleHit, Escalate, Handoff, Inbound, Platform, Reply, Respond

    for n in range(answers):
        key = f"web:acme:shared:t{n}"
        address = Address(Platform.WEB, "acme", "shared", f"t{n}")
        at = NOW - timedelta(days=1, minutes=n)
        inbound = Inbound(f"m{n}", address, Actor("U1", "Dana", "acme"), "refund?", at)
        hit = ArticleHit("refunds", "Refunds", 0.9, team="billing")
        await store.record_decision(key, inbound, Respond(Reply("x"), "answered", 0.9, "en", (hit,)), team="billing")
        later = Inbound(f"h{n}", address, inbound.author, "human", at + timedelta(seconds=30))
        handoff = Handoff("s", "asked_for_human", "billing")
        await store.record_decision(key, later, Escalate(Reply("ok"), handoff, "asked_for_human", "en"), team="billing")


async def test_compute_promote_and_the_board_over_a_store() -> None:
    store = MemoryStore(ChannelDefaults())
    await _store_with_bad_article(store)
    found = await compute(store, CONFIG, NOW)
    assert [(d.article_id, d.helpful, d.rated, d.team) for d in found] == [("refunds", 0, 4, "billing")]

    board = DemotionBoard(store, CONFIG, clock=lambda: NOW)
    assert dict(board.current()) == {}  # nothing counted yet: the first read starts a recount in the background
    await board.close()
    await board.refresh()
    assert list(board.current()) == ["refunds"]

    with pytest.raises(NotFound, match="'invoices' is not demoted \\(demoted articles: refunds\\)"):
        await board.promote("invoices", "U_ADMIN")
    demotion = await board.promote("refunds", "U_ADMIN")
    assert demotion.describe() == "article refunds demoted: 0/4 helpful in 30 days"
    assert dict(board.current()) == {}
    assert await compute(store, CONFIG, NOW + timedelta(minutes=1)) == []
    changes = await store.admin_changes()
    assert [(c.actor_id, c.what) for c in changes] == [
        ("U_ADMIN", "kb promote refunds (was article refunds demoted: 0/4 helpful in 30 days)")
    ]
    with pytest.raises(NotFound):
        await promote(store, CONFIG, "refunds", "U_ADMIN", NOW + timedelta(minutes=2))


async def test_the_snapshot_recounts_in_the_background_once_stale() -> None:
    store = MemoryStore(ChannelDefaults())
    now = [NOW]
    board = DemotionBoard(store, CONFIG, clock=lambda: now[0])
    await board.refresh()
    await _store_with_bad_article(store)
    assert dict(board.current()) == {}  # fresh: no recount yet, so the new votes are not seen
    assert board._task is None
    now[0] = NOW + timedelta(minutes=CONFIG.refresh_minutes)
    assert dict(board.current()) == {}  # stale: the old snapshot is served while the recount runs
    assert board._task is not None
    await board._task
    assert list(board.current()) == ["refunds"]
    await board.close()
