"""The handoff summary leads with what the customer actually asked, and carries the language."""

from __future__ import annotations

import pytest

from bot.core.ports import History
from bot.orchestration.handoff import build_handoff
from tests.unit.policies.conftest import make_ctx


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
        (("How do I rotate the signing secret?", "that didn't help"), "human please",
         ["Asked: How do I rotate the signing secret?", "Then: human please", "Earlier: that didn't help"]),
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
    assert lines[-1].endswith("language de") and handoff.language == "de"
