"""The handoff summary: the customer's question as the title, what the AI answered and cited, one plain "why"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.ports import History
from bot.core.types import ArticleHit, InboundKind
from bot.orchestration.handoff import build_handoff, clip, question_title, with_reason
from tests.unit.policies.conftest import make_ctx

LONG = (
    "We moved our workspace to the EU region last week and since then the nightly export job fails with a timeout "
    "after about forty minutes, although the same export finished in ten minutes before the move; what changed?"
)


@pytest.mark.parametrize(
    ("earlier", "text", "expected"),
    [
        ((), "Where is my invoice?", ["Asked: Where is my invoice?"]),
        # A short follow-up names no problem: the latest longer message leads, the follow-up comes after it.
        (
            ("hello", "Where can I download our invoices?"),
            "still broken",
            ["Asked: Where can I download our invoices?", "Then: still broken", "Earlier: hello"],
        ),
        (
            ("How do I rotate the signing secret?", "that didn't help"),
            "human please",
            ["Asked: How do I rotate the signing secret?", "Then: human please", "Earlier: that didn't help"],
        ),
        # Nothing longer to lead with: the short message is the question.
        (("hi",), "invoices?", ["Asked: invoices?", "Earlier: hi"]),
        # A button press has no text: the last message leads.
        (("How do I reset my password?",), "", ["Asked: How do I reset my password?"]),
    ],
)
def test_summary_leads_with_the_question(earlier: tuple[str, ...], text: str, expected: list[str]) -> None:
    ctx = make_ctx(text, language="de", history=History(customer_texts=earlier))
    handoff = build_handoff(ctx, reason="repeated_failure", team="billing")
    lines = handoff.summary.splitlines()
    assert lines[: len(expected)] == expected
    assert lines[-1] == "Why: The AI's answers did not help, twice." and handoff.language == "de"
    assert handoff.title == expected[0].removeprefix("Asked: ")
    assert sum(line.startswith("Why:") for line in lines) == 1


def test_long_messages_are_quoted_whole_or_cut_at_a_word() -> None:
    imported = LONG.replace("export", "import")
    earlier = (LONG, imported, "the other thing")
    handoff = build_handoff(make_ctx("ok", history=History(customer_texts=earlier)), reason="asked_for_human", team="")
    lines = handoff.summary.splitlines()
    assert lines[0] == f"Asked: {imported}"  # the question is quoted whole (up to 400 characters)
    assert lines[1] == "Then: ok"
    earlier_line = lines[2].removeprefix("Earlier: ")
    first, second = earlier_line.split(" / ")
    assert first.endswith("…") and LONG.startswith(first[:-1]) and LONG[len(first) - 1] == " "  # cut between words
    assert second == "the other thing"
    assert len(handoff.title) <= 120 and handoff.title.endswith("…") and imported[len(handoff.title) - 1] == " "
    assert clip("word " * 10, 12) == "word word…"


def test_the_summary_says_what_the_ai_answered_and_cited() -> None:
    history = History(
        customer_texts=("Where do I find last month's invoice?",),
        transcript=(
            ("Customer", "Where do I find last month's invoice?"),
            ("AI", "Invoices are under Settings > Billing. You can download a PDF there. Admins only."),
        ),
        ai_answers=1,
        last_articles=(ArticleHit("invoices", "Invoices", 0.9),),
    )
    handoff = build_handoff(
        make_ctx("that is wrong, there is no such menu", history=history), reason="repeated_failure", team=""
    )
    assert (
        "AI answered: “Invoices are under Settings > Billing. You can download a PDF there.” (citing Invoices)"
        in handoff.summary
    )
    assert handoff.cited[0].title == "Invoices"
    assert handoff.title == "that is wrong, there is no such menu"


@pytest.mark.parametrize(
    ("choice", "title"),
    [("billing", "Wants a person: billing or payment"), (None, "Wants to talk to a person (no question written yet)")],
)
def test_a_human_button_before_any_message_gets_a_sentence_for_a_title(choice: str | None, title: str) -> None:
    ctx = make_ctx("", kind=InboundKind.HUMAN_REQUEST)
    ctx = replace(ctx, inbound=replace(ctx.inbound, reason_choice=choice))
    handoff = build_handoff(ctx, reason="asked_for_human", team="")
    assert handoff.title == title
    assert "(no message yet)" not in handoff.summary and handoff.summary.startswith("Asked: nothing yet")
    assert question_title([], choice) == title


def test_with_reason_keeps_one_why() -> None:
    handoff = build_handoff(make_ctx("Where is my invoice?"), reason="pre_approval", team="")
    lines = with_reason(handoff, "rejected_draft").summary.splitlines()
    assert [line for line in lines if line.startswith("Why:")] == [
        "Why: An agent rejected the AI's draft; a person writes the answer."
    ]
