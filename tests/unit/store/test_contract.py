"""The `Store` contract: every implementation (memory, SQLite, PostgreSQL) must pass these same tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.conversation import Conversation, ConversationStatus, Turn, conversation_key
from bot.core.errors import NotFound
from bot.core.ports import FeedbackEntry, Store
from bot.core.types import (
    Action,
    Actor,
    Address,
    ArticleHit,
    Citation,
    Draft,
    Escalate,
    Handoff,
    HandoffStatus,
    Ignore,
    Inbound,
    Mode,
    Platform,
    Priority,
    Reply,
    Respond,
    Role,
    Ticket,
    TicketKind,
    TokenUsage,
    TraceStep,
)
from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore
from bot.store.sql import SqlStore

from .conftest import FakeClock, StoreFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = Actor("U1", "Ada", "T_ACME", Role.CUSTOMER, is_external=True)
ADDR = Address(Platform.SLACK, "T_HOME", "C_SUPPORT", "1700.01", opaque={"service_url": "https://x", "n": [1, 2]})
HIT = ArticleHit("billing-refunds", "Refunds", 0.82, "https://kb/refunds", "billing", "Refunds take 5 days")


def inbound(message_id: str = "m1", at: datetime = T0, text: str = "How do refunds work?") -> Inbound:
    return Inbound(message_id, ADDR, CUSTOMER, text, at, language="en")


def handoff(suggestion: Reply | None = None) -> Handoff:
    return Handoff(
        "Asked: refunds",
        "low_confidence",
        "billing",
        Priority.HIGH,
        "https://t",
        CUSTOMER,
        "en",
        "negative",
        True,
        suggestion,
        "billing question",
    )


async def test_implements_the_protocol(make_store: StoreFactory) -> None:
    assert isinstance(await make_store(), Store)


# --- delivery de-duplication -----------------------------------------------------------------------------------


async def test_first_delivery_is_true_once_per_platform_message(make_store: StoreFactory) -> None:
    store = await make_store()
    assert await store.first_delivery("slack", "m1") is True
    assert await store.first_delivery("slack", "m1") is False
    assert await store.first_delivery("teams", "m1") is True
    assert await store.first_delivery("slack", "m2") is True


# --- conversations ---------------------------------------------------------------------------------------------


async def test_conversation_round_trips_every_field(make_store: StoreFactory) -> None:
    store = await make_store()
    assert await store.load_conversation("nope") is None
    conv = Conversation(conversation_key(ADDR), ADDR, CUSTOMER, T0, language="de")
    conv.add_turn(Turn(Role.CUSTOMER, "Wie geht Erstattung?", T0, "U1"))
    conv.add_turn(Turn(Role.BOT, "So: ...", T0 + timedelta(seconds=2), "bot", "answer", "confident"))
    conv.record_answer((HIT,))
    conv.record_failure()
    await store.save_conversation(conv)
    assert conv.id is not None

    loaded = await store.load_conversation(conv.key)
    assert loaded is not None
    assert loaded == conv
    assert loaded.address.opaque == {"service_url": "https://x", "n": [1, 2]}
    assert loaded.customer == CUSTOMER
    assert loaded.turns[1].at == T0 + timedelta(seconds=2) and loaded.turns[1].at.tzinfo is not None
    assert loaded.last_articles == (HIT,)

    loaded.escalate("ticket-1")
    loaded.claim("A1")
    loaded.add_turn(Turn(Role.AGENT, "I'll take it", T0 + timedelta(minutes=1), "A1"))
    await store.save_conversation(loaded)
    again = await store.load_conversation(conv.key)
    assert again is not None
    assert again.id == conv.id
    assert (again.status, again.handoff_id, again.claimed_by) == (ConversationStatus.CLAIMED, "ticket-1", "A1")
    assert [t.text for t in again.turns] == ["Wie geht Erstattung?", "So: ...", "I'll take it"]
    assert (again.failed_attempts, again.ai_answers, again.reopened) == (1, 1, 0)


async def test_contacts_are_customer_channels_from_their_latest_conversation(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = await make_store()
    assert list(await store.contacts()) == []
    other = Address(Platform.SLACK, "T_HOME", "C_OTHER", "1700.09")
    for key, address, language, who in (
        ("k1", ADDR, "en", CUSTOMER),
        ("k2", other, "es", Actor("U2", "Bo", "T_GLOBEX", Role.CUSTOMER, True)),
        ("k3", ADDR.in_thread("1700.02"), "de", CUSTOMER),  # the later conversation in C_SUPPORT
        ("k4", Address(Platform.SLACK, "T_HOME", "C_AGENTS", "1"), "en", Actor("A1", role=Role.AGENT)),
    ):
        clock.now += timedelta(minutes=1)
        await store.save_conversation(Conversation(key, address, who, T0, language=language))
    contacts = await store.contacts()
    assert [(c.address.channel, c.address.thread, c.org, c.language) for c in contacts] == [
        ("C_OTHER", None, "T_GLOBEX", "es"),
        ("C_SUPPORT", None, "T_ACME", "de"),
    ]
    assert contacts[1].address.opaque == {"service_url": "https://x", "n": [1, 2]}
    assert contacts[1].last_seen == clock.now - timedelta(minutes=1)


async def test_saved_conversation_is_a_copy(make_store: StoreFactory) -> None:
    store = await make_store()
    conv = Conversation("k1", ADDR, CUSTOMER, T0)
    await store.save_conversation(conv)
    conv.add_turn(Turn(Role.CUSTOMER, "unsaved", T0))
    loaded = await store.load_conversation("k1")
    assert loaded is not None and loaded.turns == []


async def test_resolved_then_reopened_conversation_keeps_its_counters(make_store: StoreFactory) -> None:
    store = await make_store()
    conv = Conversation("k2", replace(ADDR, thread=None, is_dm=True), CUSTOMER, T0)
    conv.resolve()
    conv.add_turn(Turn(Role.CUSTOMER, "back again", T0))
    await store.save_conversation(conv)
    loaded = await store.load_conversation("k2")
    assert loaded is not None
    assert (loaded.status, loaded.reopened, loaded.address.is_dm, loaded.address.thread) == (
        ConversationStatus.OPEN,
        1,
        True,
        None,
    )


async def test_two_writers_appending_to_one_conversation_keep_both_turns(make_store: StoreFactory) -> None:
    store = await make_store()
    conv = Conversation("k3", ADDR, CUSTOMER, T0)
    conv.add_turn(Turn(Role.CUSTOMER, "first", T0, "U1"))
    conv.add_turn(Turn(Role.CUSTOMER, "first", T0, "U1"))  # identical turns are both kept
    await store.save_conversation(conv)
    one, two = await store.load_conversation("k3"), await store.load_conversation("k3")
    assert one is not None and two is not None
    one.add_turn(Turn(Role.CUSTOMER, "from replica one", T0 + timedelta(seconds=1), "U1"))
    two.add_turn(Turn(Role.AGENT, "from replica two", T0 + timedelta(seconds=1), "A1"))
    await store.save_conversation(one)
    await store.save_conversation(two)
    await store.save_conversation(two)  # saving again adds nothing
    loaded = await store.load_conversation("k3")
    assert loaded is not None
    assert [t.text for t in loaded.turns] == ["first", "first", "from replica one", "from replica two"]


# --- channels --------------------------------------------------------------------------------------------------


async def test_new_channel_starts_in_pre_approval_until_the_period_ends(make_store: StoreFactory) -> None:
    store = await make_store()
    first = await store.channel_policy(ADDR, T0)
    assert (first.mode, first.explicit_mode, first.threshold, first.team) == (Mode.PRE_APPROVAL, False, 0.70, "support")
    assert (await store.channel_policy(ADDR, T0 + timedelta(days=29))).mode is Mode.PRE_APPROVAL
    # the created date is the first sighting, not the latest call
    assert (await store.channel_policy(ADDR, T0 + timedelta(days=30))).mode is Mode.AI_FIRST


async def test_approval_period_zero_uses_the_default_mode(make_store: StoreFactory) -> None:
    store = await make_store(ChannelDefaults(mode=Mode.HYBRID, approval_days=0, threshold=0.5, team="t"))
    policy = await store.channel_policy(ADDR, T0)
    assert (policy.mode, policy.threshold, policy.team, policy.explicit_mode) == (Mode.HYBRID, 0.5, "t", False)


async def test_configured_mode_is_explicit(make_store: StoreFactory) -> None:
    store = await make_store()
    policy = await store.channel_policy(replace(ADDR, channel="C_CFG"), T0)
    assert (policy.mode, policy.explicit_mode) == (Mode.AGENT_FIRST, True)


async def test_admin_changes_override_defaults_and_config(make_store: StoreFactory, clock: FakeClock) -> None:
    store = await make_store()
    cfg = replace(ADDR, channel="C_CFG")
    await store.set_channel(cfg, mode="parallel", threshold=0.9, team="billing", paused=True, ai_share=0.3)
    policy = await store.channel_policy(cfg, T0)
    assert policy.mode is Mode.PARALLEL and policy.explicit_mode
    assert (policy.threshold, policy.team, policy.paused, policy.ai_share) == (0.9, "billing", True, 0.3)

    await store.set_channel(ADDR, mode=Mode.AI_FIRST)  # an admin may skip the approval period
    assert (await store.channel_policy(ADDR, T0)).mode is Mode.AI_FIRST

    await store.set_channel(ADDR, mode=None, paused=False)  # back to the default rule
    policy = await store.channel_policy(ADDR, T0)
    assert (policy.mode, policy.explicit_mode, policy.paused) == (Mode.PRE_APPROVAL, False, False)


async def test_set_channel_registers_an_unseen_channel_with_todays_date(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.set_channel(ADDR, team="security")
    policy = await store.channel_policy(ADDR, T0 + timedelta(days=40))
    assert (policy.team, policy.mode) == ("security", Mode.AI_FIRST)  # the clock said T0 when it was registered


async def test_channels_are_told_apart_by_platform_workspace_and_id(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.set_channel(ADDR, paused=True)
    other = Address(Platform.TEAMS, "T_HOME", "C_SUPPORT", "x")
    assert (await store.channel_policy(other, T0)).paused is False
    assert (await store.channel_policy(ADDR, T0)).paused is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "turbo"}, "mode must be one of"),
        ({"threshold": 1.5}, "threshold must be a number between 0 and 1"),
        ({"ai_share": "half"}, "ai_share must be a number between 0 and 1"),
        ({"paused": "yes"}, "paused must be true or false"),
        ({"colour": "red"}, "unknown channel setting(s) colour"),
    ],
)
async def test_set_channel_rejects_bad_values_naming_them(
    make_store: StoreFactory, changes: dict[str, object], message: str
) -> None:
    store = await make_store()
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        await store.set_channel(ADDR, **changes)


# --- VIPs ------------------------------------------------------------------------------------------------------


async def test_vip_from_config_person_or_org(make_store: StoreFactory) -> None:
    store = await make_store()
    assert await store.is_vip(Actor("U_VIP"))
    assert await store.is_vip(Actor("U2", org="T_VIP"))
    assert not await store.is_vip(CUSTOMER)
    assert not await store.is_vip(Actor("U3"))


async def test_set_vip_adds_and_removes(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.set_vip("T_ACME", True)
    assert await store.is_vip(CUSTOMER)
    assert await store.is_vip(Actor("U9", org="T_ACME"))
    await store.set_vip("T_ACME", False)
    assert not await store.is_vip(CUSTOMER)
    await store.set_vip("U1", True)
    assert await store.is_vip(CUSTOMER)
    await store.set_vip("U_VIP", False)  # an admin can overrule the config list
    assert not await store.is_vip(Actor("U_VIP"))
    assert not await store.is_vip(Actor("U_OTHER", org="T_ACME"))


async def test_vip_survives_saving_the_customer(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.set_vip("U1", True)
    await store.save_conversation(Conversation("k", ADDR, CUSTOMER, T0))
    assert await store.is_vip(CUSTOMER)


# --- decisions -------------------------------------------------------------------------------------------------


TRACE = (TraceStep("input:human", "proceed"), TraceStep("gate", "answer", "0.82 >= 0.70"))


async def test_record_decision_stores_what_was_decided(make_store: StoreFactory) -> None:
    store = await make_store()
    respond = Respond(
        Reply("Refunds take 5 days.", (Citation("billing-refunds", "Refunds"),)), "confident", 0.82, "en", (HIT,), TRACE
    )
    rid = await store.record_decision("k1", inbound("m1"), respond)
    draft = Draft(
        Reply("draft text"),
        handoff(),
        Mode.PRE_APPROVAL,
        "pre_approval",
        "en",
        0.6,
        Reply("An agent will check this."),
        (HIT,),
    )
    did = await store.record_decision("k1", inbound("m2", T0 + timedelta(minutes=1)), draft)
    esc = Escalate(Reply("A person will reply."), handoff(), "asked_for_human", "fr")
    eid = await store.record_decision("k2", inbound("m3", T0 + timedelta(minutes=2), "humain"), esc)
    iid = await store.record_decision("k2", inbound("m4", T0 + timedelta(minutes=3)), Ignore("bot_message", language="de"))
    assert len({rid, did, eid, iid}) == 4

    records = {r.id: r for r in await store.decisions()}
    r = records[rid]
    assert (r.conversation_key, r.message_id, r.kind, r.reason, r.confidence, r.language) == (
        "k1",
        "m1",
        "answer",
        "confident",
        0.82,
        "en",
    )
    assert (r.article_ids, r.text, r.reply, r.delivered, r.at) == (
        ("billing-refunds",),
        "How do refunds work?",
        "Refunds take 5 days.",
        False,
        T0,
    )
    assert (records[did].kind, records[did].reply, records[did].confidence) == (
        "draft",
        "An agent will check this.",
        0.6,
    )
    assert (records[eid].kind, records[eid].confidence, records[eid].language, records[eid].text) == (
        "escalate",
        None,
        "fr",
        "humain",
    )
    assert (records[iid].kind, records[iid].reason, records[iid].delivered) == ("ignore", "bot_message", True)
    assert records[iid].language == "de"  # silent turns count in per-language metrics too
    assert await store.trace(rid) == TRACE
    assert [d.id for d in await store.decisions(since=T0 + timedelta(minutes=2))] == [eid, iid]
    assert [d.id for d in await store.decisions(T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=3))] == [eid]
    assert await store.decisions(until=T0 - timedelta(days=1)) == []


async def test_record_decision_keeps_team_channel_and_token_usage(make_store: StoreFactory) -> None:
    store = await make_store()
    usage = TokenUsage(input_tokens=1200, output_tokens=80, cost_usd=0.0021)
    respond = Respond(Reply("Refunds take 5 days."), "answered", 0.82, "en", (HIT,), TRACE, usage)
    rid = await store.record_decision("k1", inbound("m1"), respond, team="billing")
    iid = await store.record_decision("k1", inbound("m2", T0 + timedelta(minutes=1)), Ignore("bot_message"))
    records = {r.id: r for r in await store.decisions()}
    r = records[rid]
    assert (r.team, r.channel, r.input_tokens, r.output_tokens, r.cost_usd) == ("billing", "C_SUPPORT", 1200, 80, 0.0021)
    i = records[iid]
    assert (i.team, i.channel, i.input_tokens, i.output_tokens, i.cost_usd) == ("", "C_SUPPORT", 0, 0, 0.0)


async def test_undelivered_and_mark_delivered(make_store: StoreFactory) -> None:
    store = await make_store()
    reply = Respond(Reply("hi"), "confident", 0.9, "en")
    old = await store.record_decision("k", inbound("m1", T0), reply)
    new = await store.record_decision("k", inbound("m2", T0 + timedelta(minutes=10)), reply)
    cutoff = T0 + timedelta(minutes=5)
    assert [d.id for d in await store.undelivered(cutoff)] == [old]
    assert [d.id for d in await store.undelivered(T0 + timedelta(hours=1))] == [old, new]
    await store.mark_delivered(old)
    assert await store.undelivered(cutoff) == []
    with pytest.raises(NotFound):
        await store.mark_delivered(10_000)


# --- tickets ---------------------------------------------------------------------------------------------------


async def test_open_ticket_assigns_id_and_time_and_round_trips(make_store: StoreFactory, clock: FakeClock) -> None:
    store = await make_store()
    suggestion = Reply("Try this", (Citation("a", "A", "u", "s"),), (Action("approve", "Approve", "x", "primary"),))
    opened = await store.open_ticket(Ticket("", "k1", ADDR, handoff(suggestion), TicketKind.DRAFT))
    assert len(opened.id) == 32 and int(opened.id, 16) >= 0
    assert opened.created_at == clock.now
    assert await store.get_ticket(opened.id) == opened
    got = await store.get_ticket(opened.id)
    assert got is not None and got.handoff.suggestion == suggestion and got.address.opaque == ADDR.opaque
    assert await store.get_ticket("missing") is None


async def test_ticket_lifecycle_and_status_filter(make_store: StoreFactory, clock: FakeClock) -> None:
    store = await make_store()
    first = await store.open_ticket(Ticket("", "k1", ADDR, handoff()))
    clock.now = T0 + timedelta(minutes=1)
    second = await store.open_ticket(Ticket("", "k2", ADDR, handoff()))
    claimed = replace(
        first, status=HandoffStatus.CLAIMED, agent="A1", claimed_at=T0 + timedelta(minutes=2), card_ref="1700.99"
    )
    await store.update_ticket(claimed)
    assert await store.get_ticket(first.id) == claimed
    assert [t.id for t in await store.tickets(HandoffStatus.OPEN)] == [second.id]
    assert [t.id for t in await store.tickets(HandoffStatus.CLAIMED)] == [first.id]
    assert [t.id for t in await store.tickets()] == [first.id, second.id]
    resolved = replace(claimed, status=HandoffStatus.RESOLVED, resolved_at=T0 + timedelta(minutes=3))
    await store.update_ticket(resolved)
    assert (await store.get_ticket(first.id)) == resolved
    with pytest.raises(NotFound):
        await store.update_ticket(replace(first, id="f" * 32))


# --- feedback, admin changes, settings -------------------------------------------------------------------------


async def test_feedback_round_trips_and_filters(make_store: StoreFactory) -> None:
    store = await make_store()
    entries = [
        FeedbackEntry("helpful", "k1", "U1", T0, helpful=False, decision_id=7, article_ids=("a", "b")),
        FeedbackEntry("escalation_reason", "k1", "U1", T0 + timedelta(minutes=1), reason="wrong_answer"),
        FeedbackEntry("rewrite", "k1", "A1", T0 + timedelta(minutes=2), rewrote=True, edited_text="Better text"),
        FeedbackEntry("csat", "k1", "U1", T0 + timedelta(minutes=3), score=5),
    ]
    for entry in entries:
        await store.add_feedback(entry)
    assert list(await store.feedback()) == entries
    assert list(await store.feedback(since=T0 + timedelta(minutes=2))) == entries[2:]
    # `until` is exclusive, so consecutive slices never count an entry twice (bot.orchestration.demotion loads in slices).
    assert list(await store.feedback(T0 + timedelta(minutes=1), T0 + timedelta(minutes=3))) == entries[1:3]
    assert list(await store.feedback(until=T0)) == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (FeedbackEntry("csat", "k", "U1", T0, score=6), "CSAT score must be 1 to 5"),
        (FeedbackEntry("csat", "k", "U1", T0), "csat feedback needs a score"),
        (FeedbackEntry("stars", "k", "U1", T0), "feedback kind must be one of"),
    ],
)
async def test_bad_feedback_is_rejected(make_store: StoreFactory, entry: FeedbackEntry, message: str) -> None:
    store = await make_store()
    with pytest.raises(ValueError, match=message):
        await store.add_feedback(entry)
    assert list(await store.feedback()) == []


async def test_admin_changes_and_settings(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.record_admin_change("A1", "mode C1 -> parallel", T0)
    await store.record_admin_change("A2", "vip T_ACME", T0 + timedelta(hours=1))
    changes = await store.admin_changes()
    assert [(c.actor_id, c.what, c.at) for c in changes] == [
        ("A1", "mode C1 -> parallel", T0),
        ("A2", "vip T_ACME", T0 + timedelta(hours=1)),
    ]
    assert [c.actor_id for c in await store.admin_changes(since=T0 + timedelta(minutes=1))] == ["A2"]

    assert await store.get_setting("kb_version") is None
    await store.put_setting("kb_version", "v1")
    await store.put_setting("kb_version", "v2")
    assert await store.get_setting("kb_version") == "v2"


def _conforms(memory: MemoryStore, sql: SqlStore) -> tuple[Store, Store]:
    """Never called: mypy checks here that both classes satisfy the `Store` protocol statically."""
    return memory, sql
