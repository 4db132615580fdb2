"""`to_inbound` and friends as tables over the real payloads in ../shared/fixtures/slack (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.cards import selected_reason
from adapters.slack.inbound import (
    Us,
    action_address,
    action_user,
    actor_org,
    ignore_reason,
    installation_team,
    plain_text,
    to_inbound,
)
from bot.core.types import Platform, Role
from tests.adapters.slack.fake_slack import SLACK_FIXTURES

EVENTS = SLACK_FIXTURES / "events_api"
needs_fixtures = pytest.mark.skipif(not SLACK_FIXTURES.is_dir(), reason="../shared/fixtures/slack is not present")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# fixture -> is it a person talking (None) or why it is ignored
IGNORED = {
    "message_changed.json": "subtype message_changed",
    "message_changed_parent_reply_count_update.json": "subtype message_changed",
    "message_deleted.json": "subtype message_deleted",
    "message_subtype_bot_message_classic.json": "subtype bot_message",
    "message_subtype_bot_message_via_response_url.json": "subtype bot_message",
    "message_from_other_app_bot_profile.json": "bot message",
    "member_joined_channel_shared_channel_bot_self.json": "event 'member_joined_channel'",
    "reaction_added_shared_channel_source_team.json": "event 'reaction_added'",
    "app_uninstalled.json": "event 'app_uninstalled'",
    "tokens_revoked.json": "event 'tokens_revoked'",
    "app_mention_enterprise_install.json": "event 'app_mention'",
}
ACCEPTED = [
    "message_user_in_channel.json",
    "message_thread_reply_in_channel.json",
    "message_thread_reply_in_dm_assistant.json",
    "message_thread_broadcast.json",
    "message_file_share.json",
]


@needs_fixtures
@pytest.mark.parametrize(("name", "reason"), sorted(IGNORED.items()))
def test_non_person_events_are_ignored(name: str, reason: str) -> None:
    body = load(EVENTS / name)
    assert ignore_reason(body) == reason
    assert to_inbound(body) is None


@needs_fixtures
@pytest.mark.parametrize("name", ACCEPTED)
def test_person_messages_become_inbounds_keyed_by_channel_and_ts(name: str) -> None:
    body = load(EVENTS / name)
    event = body["event"]
    inbound = to_inbound(body)
    assert inbound is not None
    assert inbound.message_id == f"{event['channel']}:{event['ts']}"
    assert inbound.address.platform is Platform.SLACK
    assert inbound.address.workspace == body["authorizations"][0]["team_id"]
    assert inbound.address.thread == event.get("thread_ts", event["ts"])
    assert inbound.address.is_dm == (event.get("channel_type") == "im")
    assert inbound.text == plain_text(event["text"]) and inbound.author.id == event["user"]
    assert inbound.received_at.timestamp() == pytest.approx(float(event["ts"]))


@needs_fixtures
def test_the_installation_is_never_the_outer_team_id() -> None:
    body = load(EVENTS / "slack_connect" / "java_message_team_source_vs_installed.json")
    assert body["team_id"] == "T_SOURCE"
    assert installation_team(body) == "T_INSTALLED"
    assert ignore_reason(body) == "bot message"  # this capture is a bot's post


@needs_fixtures
def test_slack_connect_actor_fields_make_the_author_an_external_customer() -> None:
    envelopes = load(EVENTS / "slack_connect" / "actor_fields_present.json")
    people = [to_inbound(e) for e in envelopes]
    assert people[2] is None  # subtype channel_name
    for inbound in people[:2]:
        assert inbound is not None
        assert inbound.address.workspace == "INSTALLED_TEAM_ID"
        assert inbound.author.org == "TEAM_ID_ACTOR"
        assert inbound.author.is_external and inbound.author.role is Role.CUSTOMER


@needs_fixtures
@pytest.mark.parametrize("name", ["patterns_from_non_grid_org.json", "patterns_from_grid_org.json"])
def test_two_org_captures_match_bolts_expected_installation_and_actor(name: str) -> None:
    """Each item: [payload, [ctx enterprise, team, user], [actor enterprise, team, user]] as bolt's own test asserts."""
    checked = 0
    for payload, context_ids, actor_ids in load(EVENTS / "slack_connect" / name):
        assert installation_team(payload) == context_ids[1]
        if payload["event"]["type"] != "message":
            continue
        expected_org = actor_ids[1] or actor_ids[0] or ""
        assert actor_org(payload) == expected_org
        us = Us(team_id=context_ids[1], enterprise_id=context_ids[0] or "")
        # The captures are trimmed (no text/ts on some); give them the fields every real message has.
        event = {"text": "hello", "ts": "1678454365.204709", **payload["event"]}
        inbound = to_inbound({**payload, "event": event}, us)
        if inbound is None:
            continue
        checked += 1
        assert inbound.author.is_external == (expected_org not in (context_ids[1], context_ids[0]))
    assert checked >= 1


@needs_fixtures
def test_app_mention_from_external_user_reports_the_users_team() -> None:
    envelopes = load(EVENTS / "slack_connect" / "app_mention_user_team_source_team.json")
    for envelope in envelopes:
        org = actor_org(envelope)
        assert org and org != installation_team(envelope)


def test_message_without_fixtures_shape() -> None:
    """Runs without ../shared: our own minimal Slack Connect envelope."""
    body: dict[str, Any] = {
        "team_id": "T_EXT",
        "type": "event_callback",
        "is_ext_shared_channel": True,
        "authorizations": [{"team_id": "T_OURS", "user_id": "U_BOT", "is_bot": True}],
        "event": {
            "type": "message",
            "user": "U1",
            "team": "T_EXT",
            "user_team": "T_EXT",
            "text": "hi",
            "ts": "1.000001",
            "channel": "C1",
            "channel_type": "channel",
        },
    }
    inbound = to_inbound(body, Us("T_OURS", bot_user_id="U_BOT"))
    assert inbound is not None and inbound.author.role is Role.CUSTOMER and inbound.address.workspace == "T_OURS"
    ours = {**body, "event": {**body["event"], "user": "U_BOT"}}
    assert to_inbound(ours, Us("T_OURS", bot_user_id="U_BOT")) is None
    colleague = {**body, "event": {**body["event"], "team": "T_OURS", "user_team": "T_OURS"}}
    inbound = to_inbound(colleague, Us("T_OURS"))
    assert inbound is not None and inbound.author.role is Role.AGENT and not inbound.author.is_external


@needs_fixtures
def test_button_in_thread_maps_to_the_thread_and_reads_the_select_state() -> None:
    body = load(SLACK_FIXTURES / "interactivity" / "block_actions_button_in_thread_with_select_state.json")
    address = action_address(body, "T111")
    assert address is not None and (address.channel, address.thread) == ("C111", "1693616242.466609")
    actor = action_user(body, Us("T111"))
    assert actor.id == "U111" and not actor.is_external and actor.role is Role.AGENT
    assert action_user(body, Us("T_OTHER")).is_external


@needs_fixtures
def test_modal_submitted_from_the_other_org_is_external() -> None:
    body = load(SLACK_FIXTURES / "interactivity" / "view_submission_slack_connect_other_side.json")
    assert installation_team(body) == "T-installed-workspace"
    assert action_user(body, Us("T-installed-workspace")).is_external
    assert selected_reason(body["view"]) is None


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("<@U_BOT> how do I reset my password?", "how do I reset my password?"),
        ("ask <@U123|dana> in <#C123|billing>", "ask @dana in #billing"),
        ("see <https://x.example/a?b=1&amp;c=2|the docs> or <https://y.example>", "see the docs or https://y.example"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("<!here> anyone?", "@here anyone?"),
        ("<@U_BOT>", ""),
    ],
)
def test_slack_markup_becomes_plain_words(slack: str, plain: str) -> None:
    assert plain_text(slack, "U_BOT") == plain


def test_a_bare_mention_of_the_bot_is_not_a_question() -> None:
    body = {
        "type": "event_callback",
        "authorizations": [{"team_id": "T_OURS"}],
        "event": {"type": "message", "user": "U1", "team": "T_EXT", "text": "<@U_BOT>", "ts": "1.1", "channel": "C1"},
    }
    assert ignore_reason(body, Us("T_OURS", bot_user_id="U_BOT")) == "no text"
