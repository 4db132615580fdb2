"""The conversation key rule (thread > DM > channel message) and the aggregate's state changes."""

from __future__ import annotations

import pytest

from bot.core.conversation import Conversation, ConversationStatus, Turn, conversation_key
from bot.core.types import Address, Platform, Role
from tests.fakes import CUSTOMER, T0


@pytest.mark.parametrize(
    ("address", "key"),
    [
        (Address(Platform.SLACK, "T1", "C1", "171.1"), "slack:T1:C1:171.1"),
        (Address(Platform.SLACK, "T1", "D1", None, is_dm=True), "slack:T1:D1:dm"),
        (Address(Platform.SLACK, "T1", "D1", "171.2", is_dm=True), "slack:T1:D1:171.2"),
        (Address(Platform.TEAMS, "tenant", "19:abc", "1"), "teams:tenant:19:abc:1"),
    ],
)
def test_conversation_key(address: Address, key: str) -> None:
    assert conversation_key(address) == key


def test_channel_message_without_thread_is_a_bug() -> None:
    with pytest.raises(ValueError, match="thread id"):
        conversation_key(Address(Platform.SLACK, "T1", "C1"))


def test_resolved_thread_reopens_without_a_handoff_loop() -> None:
    conv = Conversation("k", Address(Platform.WEB, "w", "c", "t"), CUSTOMER, T0)
    conv.record_failure()
    conv.escalate("h1")
    assert not conv.ai_may_speak
    conv.claim("agent")
    conv.resolve()
    conv.add_turn(Turn(Role.CUSTOMER, "one more thing", T0))
    assert conv.status is ConversationStatus.OPEN and conv.failed_attempts == 0 and conv.handoff_id is None
    assert conv.reopened == 1
