"""`History.of`: what policies see of a conversation, including who replied last."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.conversation import Conversation, Turn
from bot.core.ports import History
from bot.core.types import Actor, Address, Platform, Role

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ADDRESS = Address(Platform.WEB, "w", "c", "t1")


def conversation(*turns: tuple[Role, str]) -> Conversation:
    conv = Conversation("k", ADDRESS, Actor("U1"), T0)
    for role, text in turns:
        conv.add_turn(Turn(role, text, T0))
    return conv


def test_human_replied_is_about_the_latest_reply() -> None:
    assert not History.of(conversation((Role.CUSTOMER, "hi"))).human_replied
    asked = (Role.CUSTOMER, "Where is my invoice?")
    agent = (Role.AGENT, "Re-sent it.")
    bot = (Role.BOT, "It is under Billing.")
    assert History.of(conversation(asked, agent, (Role.CUSTOMER, "still broken"))).human_replied
    assert not History.of(conversation(asked, agent, (Role.CUSTOMER, "and SSO?"), bot, (Role.CUSTOMER, "no"))).human_replied
    history = History.of(conversation(asked, bot, (Role.CUSTOMER, "thanks")))
    assert history.customer_texts == ("Where is my invoice?",) and not history.human_replied
