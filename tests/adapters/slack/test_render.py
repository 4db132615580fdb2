"""`render(reply)` and the agents' cards as tables, checked against Slack's Block Kit limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.slack.blocks import (
    ACTIONS_LIMIT,
    BLOCK_LIMIT,
    MESSAGE_TEXT_LIMIT,
    SECTION_LIMIT,
    SlackMessage,
    chunks,
    mrkdwn,
    parse_action_id,
    render,
)
from adapters.slack.cards import card
from adapters.slack.commands import Command, UsageError, parse
from adapters.slack.outbound import SlackOutbox
from bot.core.cards import card_actions
from bot.core.types import (
    Action,
    Actor,
    Address,
    Citation,
    Handoff,
    HandoffStatus,
    Platform,
    Priority,
    Reply,
    Role,
    Ticket,
    TicketKind,
)
from tests.adapters.slack.conftest import Slack

CITE = Citation("reset", "Reset your password", "https://kb.example.com/reset")
HUMAN = Action("human", "Talk to a human", "human")


def within_limits(message: SlackMessage) -> None:
    assert message.text.strip(), "a text fallback is always present"
    assert len(message.blocks) <= BLOCK_LIMIT
    text_total = 0
    for block in message.blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= SECTION_LIMIT
            text_total += len(block["text"]["text"])
        if block["type"] == "actions":
            assert len(block["elements"]) <= ACTIONS_LIMIT
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
    assert text_total <= MESSAGE_TEXT_LIMIT


def sentence_text(chars: int) -> str:
    sentence = "Frontdesk keeps the reply readable by splitting at sentence and paragraph boundaries. "
    return (sentence * (chars // len(sentence) + 1))[:chars]


@pytest.mark.parametrize(
    ("chars", "messages", "sections_first"),
    [(10, 1, 1), (2999, 1, 1), (3001, 1, 2), (9000, 1, 4), (45_000, 2, 13), (400_000, 5, 13)],
)
def test_long_replies_split_within_limits_with_sources_and_buttons_last(
    chars: int, messages: int, sections_first: int
) -> None:
    rendered = render(Reply(sentence_text(chars), (CITE,), (HUMAN,)))
    assert len(rendered) == messages
    assert sum(1 for b in rendered[0].blocks if b["type"] == "section") == sections_first
    for message in rendered:
        within_limits(message)
    assert all(b["type"] == "section" for m in rendered[:-1] for b in m.blocks)
    last = [b["type"] for b in rendered[-1].blocks]
    assert last[-2:] == ["context", "actions"]


def test_text_beyond_five_messages_is_truncated_with_a_link() -> None:
    rendered = render(Reply(sentence_text(400_000), (CITE,)))
    final = [b for b in rendered[-1].blocks if b["type"] == "section"][-1]["text"]["text"]
    assert "_(truncated)_" in final and "<https://kb.example.com/reset|Read the full article>" in final


def test_nothing_is_lost_when_splitting() -> None:
    text = sentence_text(20_000)
    pieces = chunks(text)
    assert all(len(p) <= SECTION_LIMIT for p in pieces)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold* and _it_", "*bold* and _it_"),
        ("See [the guide](https://kb.example.com/a)", "See <https://kb.example.com/a|the guide>"),
        ("hi <!channel> & <b>", "hi &lt;!channel&gt; &amp; &lt;b&gt;"),
        ("<@U123ABC> is on it", "<@U123ABC> is on it"),
        ("`code`", "`code`"),
    ],
)
def test_markdown_lite_to_mrkdwn(text: str, expected: str) -> None:
    assert mrkdwn(text) == expected


def test_many_actions_are_split_into_blocks_of_25() -> None:
    actions = tuple(Action("csat", str(i), str(i)) for i in range(30))
    rendered = render(Reply("Rate us", actions=actions))
    blocks = [b for b in rendered[0].blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in blocks] == [25, 5]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(set(ids)) == 30 and {parse_action_id(i) for i in ids} == {"csat"}


def ticket(kind: TicketKind, status: HandoffStatus, suggestion: bool = False) -> Ticket:
    handoff = Handoff(
        summary="Asked: where is my invoice?\nWhy: low confidence",
        reason="low_confidence",
        team="billing",
        customer=Actor("U_CUST", "Dana", "T_ACME", Role.CUSTOMER, True),
        language="de",
        sentiment="negative",
        vip=True,
        suggestion=Reply("Invoices are under Billing.", (CITE,)) if suggestion else None,
        customer_reason="urgent",
        priority=Priority.URGENT,
        title="Where is my invoice?",
    )
    address = Address(Platform.SLACK, "T_OURS", "C_SHARED", "1.000001")
    return Ticket(
        "t1",
        "k",
        address,
        handoff,
        kind,
        status,
        agent="U_AGENT" if status is not HandoffStatus.OPEN else None,
        created_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(
    ("kind", "status", "suggestion", "expected"),
    [
        (TicketKind.HANDOFF, HandoffStatus.OPEN, False, ["claim"]),
        (TicketKind.HANDOFF, HandoffStatus.CLAIMED, False, ["resolve", "hand_back"]),
        (TicketKind.HANDOFF, HandoffStatus.RESOLVED, False, []),
        (TicketKind.HANDOFF, HandoffStatus.OPEN, True, ["claim", "approve", "edit"]),
        (TicketKind.DRAFT, HandoffStatus.OPEN, True, ["approve", "edit", "reject"]),
        (TicketKind.DRAFT, HandoffStatus.RESOLVED, True, []),
    ],
)
def test_card_buttons_follow_kind_and_status(
    kind: TicketKind, status: HandoffStatus, suggestion: bool, expected: list[str]
) -> None:
    t = ticket(kind, status, suggestion)
    assert [a.kind for a in card_actions(t)] == expected
    message = card(t, "https://ours.slack.com/archives/C_SHARED/p1000001")
    within_limits(message)
    dumped = json.dumps(message.blocks)
    for needed in ("<@U_CUST>", "T_ACME", "VIP", "de", "negative", "Urgent", "Open the customer's thread"):
        assert needed in dumped
    values = {e["value"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]}
    assert values <= {"t1"}


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Command("help")),
        ("status", Command("status")),
        ("status <#C0123ABC|support>", Command("status", channel="C0123ABC")),
        ("mode agent-first", Command("mode", "agent-first")),
        ("mode off <#C0123ABC>", Command("mode", "off", "C0123ABC")),
        ("threshold 0.8", Command("threshold", "0.8")),
        ("share 30%", Command("share", "30.0")),
        ("route Billing <#C0BILLING|billing>", Command("route", "billing", "C0BILLING")),
        ("vip add <@U0VIP|vip>", Command("vip", "U0VIP", extra="add")),
        ("vip remove T0ACME", Command("vip", "T0ACME", extra="remove")),
        ("pause", Command("pause")),
        ("resume <#C0123ABC>", Command("resume", channel="C0123ABC")),
        ("reindex", Command("reindex")),
        ("digest now", Command("digest", "now")),
    ],
)
def test_command_parsing(text: str, command: Command) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "mode fast",
        "threshold 1.5",
        "threshold x",
        "share 120",
        "route billing",
        "vip promote U1",
        "digest later",
        "status #general",
        "frobnicate",
    ],
)
def test_bad_commands_say_what_to_type(text: str) -> None:
    with pytest.raises(UsageError):
        parse(text)


async def test_outbox_posts_a_long_reply_as_several_messages_in_the_thread(slack: Slack) -> None:
    address = Address(Platform.SLACK, "T_OURS", "C_SHARED", "1.000001")
    ref = await SlackOutbox(slack.runtime.client).send(address, Reply(sentence_text(45_000), (CITE,), (HUMAN,)))
    posts = slack.fake.posts("C_SHARED")
    assert len(posts) == 2 and all(p["thread_ts"] == "1.000001" for p in posts)
    assert ref == f"C_SHARED:{posts[0]['_ts']}"
    assert "actions" not in [b["type"] for b in posts[0]["blocks"]]
    assert [b["type"] for b in posts[1]["blocks"]][-1] == "actions"
