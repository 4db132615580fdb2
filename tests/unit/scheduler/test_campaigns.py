"""Campaign runs over stored contacts: pilot share and holdout, frequency cap, quiet hours, targeting, languages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest

from bot.core.conversation import Conversation
from bot.core.errors import FrontdeskError
from bot.core.types import Actor, Address, Platform, Role
from bot.orchestration.optout import opt_out
from bot.store.memory import MemoryStore
from scheduler.campaigns import LAST_SENT, MEMBER, group, run_campaign
from scheduler.config import CampaignConfig, SchedulerConfig
from scheduler.context import JobContext
from tests.fakes import Clock, RecordingOutbox

NOON = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)  # 12:00 in Berlin


async def store_with(orgs: list[tuple[str, str]], clock: Clock) -> MemoryStore:
    """One customer channel per (org, language)."""
    store = MemoryStore(clock=clock)
    for n, (org, language) in enumerate(orgs):
        address = Address(Platform.SLACK, "T_HOME", f"C{n:03d}", "1.1")
        customer = Actor(f"U{n}", org=org, role=Role.CUSTOMER, is_external=True)
        await store.save_conversation(Conversation(f"k{n}", address, customer, NOON, language=language))
    return store


def context(store: MemoryStore, outbox: RecordingOutbox, clock: Clock, **campaigns: CampaignConfig) -> JobContext:
    return JobContext(store, {Platform.SLACK: outbox}, campaigns=MappingProxyType(campaigns),
                      scheduler=SchedulerConfig(timezone="Europe/Berlin"), clock=clock)


async def test_sends_to_each_customer_channel_top_level_with_an_opt_out_button() -> None:
    clock, outbox = Clock(NOON), RecordingOutbox()
    store = await store_with([("T_ACME", "en"), ("T_GLOBEX", "de")], clock)
    feature = CampaignConfig(text="Exports are here, {org}.", texts={"de": "Exporte sind da, {org}."})
    ctx = context(store, outbox, clock, feature=feature)
    assert await run_campaign(ctx, name="feature") == "Campaign feature: 2 sent."
    sent = {address.channel: (address.thread, reply) for address, reply in outbox.sent}
    assert sent["C000"][0] is None and sent["C000"][1].text == "Exports are here, T_ACME."
    assert sent["C001"][1].text == "Exporte sind da, T_GLOBEX."
    assert [(a.kind, a.value) for a in sent["C000"][1].actions] == [("opt_out", "feature")]
    assert (await store.get_setting(MEMBER + "feature.slack:T_HOME:C000") or "").startswith("sent ")


async def test_frequency_cap_spans_campaigns_and_opt_outs_are_respected() -> None:
    clock, outbox = Clock(NOON), RecordingOutbox()
    store = await store_with([("T_ACME", "en"), ("T_GLOBEX", "en")], clock)
    a, b = CampaignConfig(text="A"), CampaignConfig(text="B", min_days_between=7)
    ctx = context(store, outbox, clock, a=a, b=b)
    await run_campaign(ctx, name="a")
    assert await run_campaign(ctx, name="b") == "Campaign b: 2 capped."
    await opt_out(store, "T_ACME", Address(Platform.SLACK, "T_HOME", "C000"), NOON, "U0")
    clock.advance(days=8)
    assert await run_campaign(ctx, name="b") == "Campaign b: 1 sent, 1 opted out."
    assert [address.channel for address, reply in outbox.sent if reply.text == "B"] == ["C001"]
    assert await store.get_setting(LAST_SENT + "slack:T_HOME:C001") == clock.now.isoformat()


async def test_quiet_hours_send_nothing() -> None:
    clock, outbox = Clock(datetime(2026, 11, 3, 22, 30, tzinfo=UTC)), RecordingOutbox()  # 23:30 in Berlin
    store = await store_with([("T_ACME", "en")], clock)
    ctx = context(store, outbox, clock, late=CampaignConfig(text="Hi", quiet_hours="20:00-08:00"))
    assert "not sent, 23:30 is inside its quiet hours (20:00-08:00)" in await run_campaign(ctx, name="late")
    assert outbox.sent == []


async def test_pilot_share_and_holdout_split_organisations_stably() -> None:
    clock, outbox = Clock(NOON), RecordingOutbox()
    store = await store_with([(f"T_{n:03d}", "en") for n in range(400)], clock)
    pilot = CampaignConfig(text="Hi", share=0.5, holdout=0.2)
    ctx = context(store, outbox, clock, pilot=pilot)
    summary = await run_campaign(ctx, name="pilot")
    counts = {part.split(" ", 1)[1]: int(part.split(" ", 1)[0]) for part in summary.removesuffix(".").split(": ")[1].split(", ")}
    assert set(counts) == {"sent", "holdout", "outside"} and sum(counts.values()) == 400
    assert 60 <= counts["holdout"] <= 100  # 20 % of 400
    assert 130 <= counts["sent"] <= 190  # half of the remaining 320
    contacts = await store.contacts()
    holdout = [c for c in contacts if group("pilot", pilot, c) == "holdout"]
    assert len(holdout) == counts["holdout"]
    members = [await store.get_setting(MEMBER + f"pilot.slack:T_HOME:{c.address.channel}") for c in holdout]
    assert all((m or "").startswith("holdout ") for m in members)
    assert {a.channel for a, _ in outbox.sent}.isdisjoint({c.address.channel for c in holdout})
    other = CampaignConfig(text="Hi", holdout=0.2)
    assert [group("other", other, c) for c in contacts] != [group("pilot", other, c) for c in contacts]


async def test_targeted_organisations_only_and_unknown_campaign_is_an_error() -> None:
    clock, outbox = Clock(NOON), RecordingOutbox()
    store = await store_with([("T_ACME", "en"), ("T_GLOBEX", "en")], clock)
    ctx = context(store, outbox, clock, acme=CampaignConfig(text="Hi", orgs=["T_ACME"]))
    assert await run_campaign(ctx, name="acme") == "Campaign acme: 1 sent, 1 not targeted."
    with pytest.raises(FrontdeskError, match="no campaign 'nope'"):
        await run_campaign(ctx, name="nope")
