"""The HTTP entry point itself: request verification, URL verification, and retries across two replicas."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from bot.bootstrap import channel_defaults
from bot.core.errors import ConfigError
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.adapters.slack.conftest import (
    SHARED,
    Slack,
    make_config,
    make_settings,
    message_event,
    sign,
    start_slack,
)
from tests.adapters.slack.fake_slack import SLACK_FIXTURES, FakeSlack


async def test_unsigned_forged_and_stale_requests_are_rejected(slack: Slack) -> None:
    body = json.dumps(message_event("password?"))
    plain = {"Content-Type": "application/json"}
    assert (await slack.http.post("/slack/events", data=body, headers=plain)).status == 401
    forged = {**plain, **sign(body, secret="not-the-secret")}
    assert (await slack.http.post("/slack/events", data=body, headers=forged)).status == 401
    stale = {**plain, **sign(body, timestamp=str(int(time.time()) - 6 * 60))}  # outside the 5-minute window
    assert (await slack.http.post("/slack/events", data=body, headers=stale)).status == 401
    await slack.settle()
    assert slack.fake.posts() == []


async def test_url_verification_answers_the_challenge(slack: Slack) -> None:
    path = SLACK_FIXTURES / "events_api" / "url_verification.json"
    envelope = (
        json.loads(path.read_text())
        if path.is_file()
        else {"token": "t", "challenge": "abc123", "type": "url_verification"}
    )
    response = await slack.event(envelope)
    assert response.status == 200
    assert envelope["challenge"] in await response.text()


async def test_events_are_acknowledged_before_the_reply_is_sent(slack: Slack) -> None:
    response = await slack.event(message_event("password?"), settle=False)
    assert response.status == 200
    # The ack came back while the reply was still being worked on in the background (or already done).
    await slack.settle()
    assert len(slack.fake.posts(SHARED)) == 1


async def test_http_mode_without_signing_secret_is_a_clear_error(fake: FakeSlack, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        await start_slack(fake, make_settings(fake, tmp_path, slack_signing_secret=None), make_config())


async def test_missing_agents_channel_is_a_clear_error(fake: FakeSlack, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="FRONTDESK_AGENTS_CHANNEL"):
        await start_slack(
            fake, make_settings(fake, tmp_path, agents_channel=None), make_config().model_copy(update={"teams": {}})
        )


async def _two_replicas_answer_once(fake: FakeSlack, tmp_path: Path, url: str) -> None:
    await upgrade(url)
    settings = make_settings(fake, tmp_path, database_url=url)
    config = make_config()
    one, client_one = await start_slack(fake, settings, config, SqlStore(url, channel_defaults(config, settings)))
    two, client_two = await start_slack(fake, settings, config, SqlStore(url, channel_defaults(config, settings)))
    try:
        envelope = message_event("How do I reset my password?")
        # Slack's retry lands on the other replica while the first is still working.
        first, retry = await asyncio.gather(
            one.event(envelope, settle=False), two.event(envelope, retry=1, settle=False)
        )
        assert (first.status, retry.status) == (200, 200)
        await asyncio.gather(one.settle(), two.settle())
        assert len(fake.posts(SHARED)) == 1
    finally:
        await client_one.close()
        await client_two.close()


async def test_two_replicas_on_one_sqlite_database_answer_once(fake: FakeSlack, tmp_path: Path) -> None:
    await _two_replicas_answer_once(fake, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}")


@pytest.mark.postgres
async def test_two_replicas_on_one_postgres_database_answer_once(fake: FakeSlack, tmp_path: Path) -> None:
    from tests.unit.store.conftest import create_pg_schema, drop_pg_schema

    schema, url = await create_pg_schema()
    try:
        await _two_replicas_answer_once(fake, tmp_path, url)
    finally:
        await drop_pg_schema(schema)
