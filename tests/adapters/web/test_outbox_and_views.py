"""WebOutbox (bounded message log, re-issued updates, who is speaking) and the agent pane's button rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.web.desk import WebAgentDesk
from adapters.web.outbox import Speaker, WebOutbox, capturing, speaking_as
from adapters.web.views import ticket_actions, why
from bot.core.types import (
    Address,
    Escalate,
    Handoff,
    HandoffStatus,
    Ignore,
    Platform,
    Reply,
    Respond,
    Ticket,
    TicketKind,
    TraceStep,
)
from bot.orchestration.desk import rewrite_actions


def address(thread: str) -> Address:
    return Address(Platform.WEB, "playground", "playground", thread)


async def test_messages_are_polled_after_a_sequence_number_and_updates_are_reissued() -> None:
    outbox = WebOutbox()
    assert outbox.add_customer_message(address("a"), "m1", "Dana", "hello <b>")
    assert not outbox.add_customer_message(address("a"), "m1", "Dana", "hello <b>")  # a resubmission shows once
    ref = await outbox.send(address("a"), Reply("Hi *there*"))
    first = outbox.messages(address("a"))
    assert [(m.id, m.role, m.author) for m in first] == [("m1", "customer", "Dana"), (ref, "bot", "Frontdesk")]
    assert "html" not in first[0].to_json() and "<strong>there</strong>" in first[1].to_json()["html"]
    last = outbox.last_seq(address("a"))
    assert outbox.messages(address("a"), after=last) == []
    outbox.update(address("a"), ref, pressed=frozenset({"helpful"}))
    [changed] = outbox.messages(address("a"), after=last)
    assert changed.id == ref and changed.seq > last and changed.pressed == {"helpful"}
    assert outbox.messages(address("other")) == [] and outbox.find(address("a"), "nope") is None


async def test_speaker_and_capture_follow_the_request_context() -> None:
    outbox = WebOutbox()
    with capturing() as sent, speaking_as(Speaker("agent", "Alex")):
        ref = await outbox.send(address("a"), Reply("I can help."))
    outside = await outbox.send(address("a"), Reply("Frontdesk again"))
    assert sent == [ref]
    roles = {m.id: (m.role, m.author) for m in outbox.messages(address("a"))}
    assert roles == {ref: ("agent", "Alex"), outside: ("bot", "Frontdesk")}


async def test_memory_is_bounded_per_conversation_and_overall() -> None:
    outbox = WebOutbox(max_conversations=2, max_messages=3)
    for n in range(5):
        await outbox.send(address("a"), Reply(f"a{n}"))
    assert [m.text for m in outbox.messages(address("a"))] == ["a2", "a3", "a4"]
    await outbox.send(address("b"), Reply("b"))
    await outbox.send(address("a"), Reply("a5"))  # touching "a" makes "b" the least recently used
    await outbox.send(address("c"), Reply("c"))
    assert outbox.messages(address("b")) == []
    assert [t[0].thread for t in outbox.threads()] == ["c", "a"]
    with pytest.raises(ValueError):
        WebOutbox(max_messages=0)


def ticket(kind: TicketKind, status: HandoffStatus, *, suggestion: bool = False) -> Ticket:
    handoff = Handoff("Asked: x", "asked_for_human", "support", suggestion=Reply("draft") if suggestion else None)
    return Ticket("1", "web:playground:playground:t", address("t"), handoff, kind=kind, status=status)


@pytest.mark.parametrize(
    ("kind", "status", "suggestion", "question", "actions"),
    [
        (TicketKind.HANDOFF, HandoffStatus.OPEN, False, False, ["claim", "reply"]),
        (TicketKind.HANDOFF, HandoffStatus.CLAIMED, False, False, ["reply", "resolve", "hand_back"]),
        (
            TicketKind.HANDOFF,
            HandoffStatus.OPEN,
            True,
            False,
            ["claim", "approve", "edit", "reply"],
        ),
        (TicketKind.HANDOFF, HandoffStatus.CLAIMED, True, False, ["approve", "edit", "reply", "resolve", "hand_back"]),
        (TicketKind.DRAFT, HandoffStatus.OPEN, True, False, ["approve", "edit", "reject"]),
        (TicketKind.HANDOFF, HandoffStatus.RESOLVED, False, True, ["rewrite"]),
        (TicketKind.DRAFT, HandoffStatus.RESOLVED, True, False, []),
    ],
)
def test_agent_buttons_follow_the_ticket_state(
    kind: TicketKind, status: HandoffStatus, suggestion: bool, question: bool, actions: list[str]
) -> None:
    assert ticket_actions(ticket(kind, status, suggestion=suggestion), has_question=question) == actions


def test_why_lines() -> None:
    trace = (TraceStep("knowledge", "answer", "top=a confidence=0.82"),)
    label = why(Respond(Reply("x"), "answered", 0.8234, "en", trace=trace))["label"]
    assert label == "Answered from the knowledge base · confidence 0.82"
    assert why(Respond(Reply("x"), "clarify", 0.0, "en"))["label"] == "Replied: Asked the customer for more detail"
    handoff = Handoff("s", "low_confidence", "support")
    label = why(Escalate(Reply("x"), handoff, "low_confidence", "en"))["label"]
    assert label == "Handed to a person: The AI was not sure enough of its answer to send it"
    label = why(Ignore("claimed_by_human"))["label"]
    assert label == "AI stayed silent: A person is handling this conversation, so the AI stays quiet"
    # No code ever reaches the line people read, even one no table knows yet.
    for reason in ("sensitive:billing_dispute", "no_knowledge", "some_new_rule"):
        label = why(Escalate(Reply("x"), replace(handoff, reason=reason), reason, "en"))["label"]
        assert reason not in label and "_" not in label, label
    assert why(Respond(Reply("x"), "answered", 0.5, "en", trace=trace))["trace"][0]["step"] == "knowledge"


async def test_agent_desk_keeps_questions_until_answered() -> None:
    desk = WebAgentDesk(max_questions=1)
    one = ticket(TicketKind.HANDOFF, HandoffStatus.RESOLVED)
    two = replace(one, id="2")
    assert await desk.post(one) == "web-card-1"
    await desk.ask(one, Reply("Did you rewrite?", actions=rewrite_actions()))
    await desk.ask(two, Reply("Did you rewrite?", actions=rewrite_actions()))
    await desk.ask(two, Reply("New message from the customer: “hello?”"))  # a notice: nothing to answer
    assert desk.question("2") is not None and desk.question("2").text == "Did you rewrite?"
    assert desk.question("1") is None and desk.question("2") is not None  # bounded: the oldest goes first
    version = desk.version
    desk.answered("2")
    assert desk.question("2") is None and desk.version == version + 1
