"""What Teams' connector answers on errors (JSON, HTML from its edge, or nothing) never crashes the bot: a stale
conversation (403 bot not in the roster, 404 conversation not found) is forgotten and the admins are told; anything
else leaves the reply undelivered for the redelivery sweep, and the log says why."""

from __future__ import annotations

import logging

import pytest

from adapters.teams.connector import DeliveryError, Ref
from tests.adapters.teams.conftest import ADMIN, SHARED, Teams, personal

NOT_FOUND = '{"error":{"code":"ConversationNotFound","message":"Conversation not found."}}'
ROSTER = '{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}'
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [(404, NOT_FOUND, "application/json"), (403, ROSTER, "application/json"), (403, "", "application/json"),
     (404, HTML, "text/html"), (404, "Conversation not found", "text/plain")],
)
async def test_a_stale_conversation_is_pruned_and_reported_to_admins(
    teams: Teams, status: int, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    await teams.send(personal("help", teams.fake.url))  # the admin's 1:1 chat: where they are told
    assert "Frontdesk admin commands" in teams.fake.posts("a:")[-1].text
    await teams.say("hello")  # the bot learns the shared channel's reference
    assert await teams.runtime.references.get(SHARED) is not None
    teams.fake.fail_next(status, body, content_type)
    with caplog.at_level(logging.ERROR):
        await teams.say("How do I reset my password?")
    assert await teams.runtime.references.get(SHARED) is None  # pruned
    told = teams.fake.posts(f"a:1chat-{ADMIN['aadObjectId']}")[-1]
    assert "can no longer post" in told.text and f"HTTP {status}" in told.text
    assert "Traceback" not in told.text and "<html>" not in told.text
    stats = await teams.app.store.outbox_stats()
    assert stats.failed >= 1  # the reply is kept as failed (in /readyz and /metrics), never silently dropped
    await teams.say("hello again")  # if the bot is added back, its next activity brings the reference back
    assert await teams.runtime.references.get(SHARED) is not None


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [(502, HTML, "text/html"), (500, "", "application/json"), (503, "upstream timeout", "text/plain"),
     (429, '{"error":{"code":"TooManyRequests"}}', "application/json")],
)
async def test_other_failures_leave_the_reply_for_redelivery(teams: Teams, status: int, body: str, content_type: str) -> None:
    await teams.say("hello")
    teams.fake.fail_next(status, body, content_type)
    await teams.say("How do I reset my password?")
    assert await teams.runtime.references.get(SHARED) is not None  # not stale: kept
    stats = await teams.app.store.outbox_stats()
    assert stats.pending >= 1 and stats.failed == 0  # waiting in the outbox for its retry, not given up


@pytest.mark.parametrize(("status", "body"), [(404, HTML), (502, ""), (400, "{not json")])
async def test_the_connector_error_is_one_readable_sentence(teams: Teams, status: int, body: str) -> None:
    await teams.say("hello")
    ref = await teams.runtime.references.get(SHARED)
    assert isinstance(ref, Ref)
    teams.fake.fail_next(status, body, "text/html" if body.startswith("<") else "application/json")
    with pytest.raises(DeliveryError) as caught:
        await teams.runtime.bot.courier.connector.send(ref, {"type": "message", "text": "hi"})
    assert caught.value.status == status
    assert str(caught.value).startswith(f"Teams refused the message (HTTP {status}")
