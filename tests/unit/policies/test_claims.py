"""Contradiction checks on real sentences of the example knowledge base (examples/kb): dates, durations, prices,
limits and yes/no claims, for LLM and extractive replies alike (`policies.claims`, used by the guardrails)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.core.ports import Proceed, Stop
from bot.core.types import Answer, ArticleHit, TokenUsage
from policies.claims import contradiction, quantities
from policies.text import sentences
from tests.unit.policies.conftest import make_ctx

KB = Path(__file__).resolve().parents[3] / "examples" / "kb"

# Passages as they are in examples/kb (billing-free-trial, billing-refund-policy, billing-failed-payments,
# account-invite-teammates, account-change-workspace-owner, billing-plans-and-pricing, integrations-rate-limits).
TRIAL = (
    "Every new workspace gets a 14-day free trial of the Growth plan. No credit card is required.\n"
    "During the trial you get all Growth features: up to 100 endpoints, 20 team members, 30-day event retention, "
    "audit logs, and an API rate limit of 100 requests/second per key. SSO and SCIM are Enterprise features and are "
    "not part of the trial."
)
REFUND = (
    "Annual plans can be refunded in full if you ask within 14 days of purchase or renewal. Monthly plans are not "
    "refunded, but you can cancel any time so you are not charged again.\n"
    "After a refund, the workspace moves to the end of its subscription immediately and your data is kept for 30 days."
)
FAILED = (
    "If a payment fails, nothing stops right away: we retry the charge automatically and email your billing "
    "contacts. Your workspace is only suspended if the invoice is still unpaid 14 days after the first failed attempt."
)
INVITE = (
    "Owners and Admins can invite teammates from **Settings > Members > Invite**. Each invitation is valid for 7 days."
)
OWNER = (
    "We also email the current Owner's address and wait 3 business days for an objection. The whole process usually "
    "takes up to 5 business days."
)
PRICING = (
    "Relaybase has three plans: Starter costs $49/month, Growth costs $299/month, and Enterprise has custom pricing. "
    "All prices are in USD and exclude tax."
)
RELEASE = "The v1 API was switched off on 2026-03-31. Requests to /v1 endpoints now return 410 Gone."


@pytest.mark.parametrize(
    ("reply", "passage", "says"),
    [
        # durations (also written as words, or hyphenated)
        ("Every new workspace gets a 30-day free trial of the Growth plan.", TRIAL, 'duration "30-day"'),
        ("The free trial of the Growth plan lasts a month for every new workspace.", TRIAL, None),  # no number
        ("Every new workspace gets a free trial of two weeks on the Growth plan.", TRIAL, None),  # 2 weeks = 14 days
        ("Annual plans can be refunded in full if you ask within 30 days of purchase.", REFUND, 'duration "30 days"'),
        ("After a refund your data is kept for 90 days.", REFUND, 'duration "90 days"'),
        ("After a refund your data is kept for 30 days.", REFUND, None),
        (
            "Your workspace is suspended if the invoice is still unpaid 7 days after the failed attempt.",
            FAILED,
            'duration "7 days"',
        ),
        ("Each invitation is valid for 14 days.", INVITE, 'duration "14 days"'),
        ("Each invitation is valid for one week.", INVITE, None),
        ("The whole process usually takes up to 10 business days.", OWNER, 'duration "10 business days"'),
        # limits
        ("During the trial you get up to 50 endpoints.", TRIAL, 'limit "50 endpoints"'),
        ("During the trial you get up to 100 endpoints and 20 team members.", TRIAL, None),
        ("The trial has an API rate limit of 500 requests/second per key.", TRIAL, 'limit "500 requests"'),
        # prices
        ("Growth costs $199/month.", PRICING, 'price "$199"'),
        ("Starter costs $49/month and Growth costs $299/month.", PRICING, None),
        # dates
        ("The v1 API was switched off on 2026-06-30.", RELEASE, 'date "2026-06-30"'),
        ("The v1 API was switched off on 2026-03-31.", RELEASE, None),
        # yes / no
        ("A credit card is required for the free trial.", TRIAL, '"A credit card is required'),
        ("No credit card is required.", TRIAL, None),
        ("SSO and SCIM are part of the trial.", TRIAL, '"SSO and SCIM are part of the trial."'),
        ("Monthly plans are refunded.", REFUND, '"Monthly plans are refunded."'),
        ("Monthly plans are not refunded, but you can cancel any time.", REFUND, None),
        # about something else entirely: nothing to contradict
        ("You can export events as CSV for 90 days.", TRIAL, None),
    ],
)
def test_contradictions_on_kb_sentences(reply: str, passage: str, says: str | None) -> None:
    found = contradiction(reply, [passage])
    if says is None:
        assert found is None, found
    else:
        assert found is not None and found.startswith(says), found


def test_units_are_compared_not_mixed() -> None:
    [seven] = quantities("Each invitation is valid for 7 days.")
    [week] = quantities("Each invitation is valid for one week.")
    assert (seven.kind, seven.unit, seven.value) == (week.kind, week.unit, week.value)
    [business] = quantities("It takes up to 5 business days.")
    assert business.unit == "business day"


def _kb_passages() -> list[str]:
    out = []
    for path in sorted(KB.rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        out += [p for p in body.split("\n\n") if p.strip()]
    return out


def test_a_verbatim_sentence_never_contradicts_its_own_passage() -> None:
    """What keeps extractive answers from false blocks: every sentence of every KB paragraph, checked against the
    paragraph it came from."""
    passages = _kb_passages()
    assert len(passages) > 200
    blocked = [(s, p) for p in passages for s in sentences(p) if contradiction(s, [p]) is not None]
    assert blocked == []


def test_a_list_item_quoted_apart_from_its_negated_intro_is_no_contradiction() -> None:
    """The reply shows a list item on its own line; the grounding's sentence joins it to an intro that says "not"."""
    passage = (
        "If you have not chosen a plan by the end of day 14: Event delivery pauses, and the API stops accepting new "
        "events. Your workspace data is kept for 30 days."
    )
    reply = "If you have not chosen a plan by the end of day 14:\n- Event delivery pauses, and the API stops accepting new events."
    assert contradiction(reply, [passage]) is None
    # A sentence that is not quoted word for word is still checked.
    assert contradiction("- Your workspace data is kept for 90 days.", [passage]) is not None


@pytest.mark.parametrize("usage", [TokenUsage(), TokenUsage(120, 30)], ids=["extractive", "llm"])
def test_the_guardrail_blocks_a_contradiction_from_either_path(step: Callable[[str], Any], usage: TokenUsage) -> None:
    hit = ArticleHit("billing-free-trial", "Free trial", 0.9, team="billing", snippet="No credit card is required.")
    reply = Answer("Every new workspace gets a 30-day free trial.", 0.9, (hit,), usage=usage, passages=(TRIAL,))
    outcome = step("guardrails").check(make_ctx("how long is the trial"), reply)
    assert isinstance(outcome, Stop) and outcome.reason == "guardrail"
    assert outcome.detail == 'contradicts its source: duration "30-day" where the source says "14-day"'
    fine = Answer(
        "Every new workspace gets a 14-day free trial of the Growth plan.", 0.9, (hit,), usage=usage, passages=(TRIAL,)
    )
    assert isinstance(step("guardrails").check(make_ctx("how long is the trial"), fine), Proceed)
