"""The pure translation of Teams activities, on our own realistic activities and, when ../shared is present, on
the real-shaped fixtures listed in ../shared/fixtures/teams/SOURCES.md (skipped cleanly without them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.inbound import address_of, bot_mentioned, plain_text, to_inbound
from adapters.teams.references import ref_of
from bot.core.types import Role
from tests.adapters.teams.conftest import AGENT, OUR_TENANT, SHARED, message, personal

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "teams" / "activities"


def fixture(name: str) -> dict[str, Any]:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared fixture {name} not present")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_a_customer_post_starts_its_own_thread_and_loses_the_mention() -> None:
    activity = message("How do I <b>reset</b> my password?", "https://smba.trafficmanager.net/emea/x/", activity_id="1765")
    inbound = to_inbound(activity, OUR_TENANT)
    assert inbound is not None
    assert (inbound.address.channel, inbound.address.thread, inbound.address.is_dm) == (SHARED, "1765", False)
    assert inbound.text == "How do I reset my password?" and inbound.author.role is Role.CUSTOMER
    assert inbound.address.opaque["serviceUrl"] == "https://smba.trafficmanager.net/emea/x/"


def test_our_tenants_people_are_agents_and_guests_are_customers() -> None:
    agent = to_inbound(message("on it", "https://s/", who=AGENT, tenant=OUR_TENANT, root="1"), OUR_TENANT)
    assert agent is not None and agent.author.role is Role.AGENT and agent.address.thread == "1"
    guest = message("hi", "https://s/", who={**AGENT, "userRole": "guest"}, tenant=OUR_TENANT)
    inbound = to_inbound(guest, OUR_TENANT)
    assert inbound is not None and inbound.author.is_external


def test_a_1_1_chat_is_one_running_conversation() -> None:
    inbound = to_inbound(personal("status", "https://s/"), OUR_TENANT)
    assert inbound is not None and inbound.address.is_dm and inbound.address.thread is None


@pytest.mark.parametrize(
    "change",
    [{"type": "messageUpdate"}, {"from": {"id": "28:other-bot", "name": "Bot"}}, {"text": "<at>Frontdesk</at>"}],
)
def test_what_is_not_a_person_talking_is_ignored(change: dict[str, Any]) -> None:
    assert to_inbound({**message("hi", "https://s/"), **change}, OUR_TENANT) is None


def test_the_real_channel_thread_reply_fixture() -> None:
    activity = fixture("message_channel_thread_reply_with_bot_mention.json")
    tenant = activity["channelData"]["tenant"]["id"]
    inbound = to_inbound(activity, tenant)
    assert inbound is not None and bot_mentioned(activity)
    assert inbound.text == "reply to thread" == plain_text(activity)
    assert inbound.address.channel == "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
    assert inbound.address.thread == "1759881511856"
    assert inbound.author.role is Role.AGENT  # the fixture's author is in the bot's own tenant
    assert to_inbound(activity, OUR_TENANT).author.is_external  # type: ignore[union-attr]
    ref = ref_of(activity)
    assert ref is not None and ref.service_url == activity["serviceUrl"] and ref.tenant_id == tenant


def test_the_real_personal_message_and_invoke_fixtures() -> None:
    activity = fixture("docs_message_personal_with_html_attachment.json")
    address = address_of(activity, OUR_TENANT)
    assert address is not None and address.is_dm
    invoke = fixture("invoke_adaptiveCard_action_execute_personal.json")
    assert invoke["name"] == "adaptiveCard/action" and address_of(invoke, OUR_TENANT) is not None
    assert to_inbound(invoke, OUR_TENANT) is None  # a button press is not a message
