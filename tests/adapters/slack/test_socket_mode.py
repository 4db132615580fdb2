"""Socket Mode: bolt's async handler connects to a local WebSocket server that replays the fixture envelopes.

apps.connections.open on the fake Web API hands out the local ws:// URL, exactly as Slack hands out wss://.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.slack.conftest import AGENTS, Slack, block_actions, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import APP_TOKEN, OUR_TEAM, SLACK_FIXTURES, FakeSlack

SOCKET = SLACK_FIXTURES / "socket_mode"
pytestmark = pytest.mark.skipif(not SOCKET.is_dir(), reason="../shared/fixtures/slack/socket_mode is not present")


def envelope(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SOCKET / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def socket_slack(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    settings = make_settings(fake, tmp_path, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    harness, client = await start_slack(fake, settings, make_config())  # startup connects the socket
    await fake.connected()
    yield harness
    await client.close()  # cleanup closes the socket and drains background work


async def test_socket_mode_message_is_acked_answered_and_retries_are_not_answered_twice(socket_slack: Slack) -> None:
    slack, fake = socket_slack, socket_slack.fake
    assert fake.called("apps.connections.open")
    message = envelope("envelope_events_api_message.json")
    await fake.push(json.dumps(message))
    assert (await fake.ack_for(message["envelope_id"]))["envelope_id"] == message["envelope_id"]
    await slack.settle()
    event = message["payload"]["event"]
    replies = fake.posts(event["channel"])
    # U222 of T111 is not our team (auth.test says T_OURS): a customer, answered in the thread of its message.
    assert len(replies) == 1 and replies[0]["thread_ts"] == event["ts"]
    assert len(fake.posts(AGENTS)) == 1  # nothing in the KB for "Hi here!": a handoff card

    retry = {**message, "envelope_id": "retry-1", "retry_attempt": 1, "retry_reason": "timeout"}
    await fake.push(json.dumps(retry))
    await fake.ack_for("retry-1")
    await slack.settle()
    assert len(fake.posts(event["channel"])) == 1


async def test_socket_mode_slash_command_answers_in_the_ack(socket_slack: Slack) -> None:
    command = envelope("envelope_slash_commands.json")
    command["payload"].update(command="/frontdesk", text="help", team_id="T_OURS")
    await socket_slack.fake.push(json.dumps(command))
    ack = await socket_slack.fake.ack_for(command["envelope_id"])
    assert "/frontdesk" in ack["payload"]["text"]


async def test_socket_mode_serves_no_unsigned_http(socket_slack: Slack) -> None:
    response = await socket_slack.http.post("/slack/events", data="{}", headers={"Content-Type": "application/json"})
    assert response.status == 404


async def test_socket_mode_buttons_work_the_same(socket_slack: Slack) -> None:
    """The interactive envelope carries the same block_actions payload as HTTP: Claim updates the card."""
    slack, fake = socket_slack, socket_slack.fake
    message = envelope("envelope_events_api_message.json")
    await fake.push(json.dumps(message))
    await fake.ack_for(message["envelope_id"])
    await slack.settle()
    card = fake.posts(AGENTS)[0]
    press = block_actions(card, "claim", user="U_AGENT", team=OUR_TEAM, trigger="9", fake_url=fake.url)
    interactive = {"envelope_id": "press-1", "payload": press, "type": "interactive", "accepts_response_payload": False}
    await fake.push(json.dumps(interactive))
    await fake.ack_for("press-1")
    await slack.settle()
    assert "Claimed by <@U_AGENT>" in json.dumps(fake.called("chat.update")[-1]["blocks"])
