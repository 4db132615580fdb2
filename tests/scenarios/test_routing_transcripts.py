"""Routing by the question, through the real bootstrap, knowledge base (examples/kb) and shipped policy chain.

A handoff's team comes from the current question (its words, then its own retrieval), falling back to the
channel's team; an earlier answer's team is used only when the new message is a follow-up to it.
"""

from __future__ import annotations

from bot.core.types import Decision, Escalate, Respond
from tests.scenarios.conftest import Transcript


async def _team_of(transcript: Transcript, decision: Decision | None) -> str:
    """The team the dispatcher recorded for this turn (the handoff's team, or the answering article's)."""
    assert decision is not None
    records = await transcript.app.store.decisions()
    return records[-1].team


async def test_an_unrelated_question_after_a_pricing_answer_does_not_go_to_billing(transcript: Transcript) -> None:
    first = await transcript.say("How much does the Pro plan cost per month?")
    assert isinstance(first, Respond) and first.articles[0].team == "billing"
    decision = await transcript.say("what is the capital of France")
    assert isinstance(decision, Escalate)
    assert decision.handoff.team == "support"  # the channel's (default) team, not the last answer's
    assert await _team_of(transcript, decision) == "support"
    assert any(step.step == "topic" and "not used" in step.detail for step in decision.trace)


async def test_a_card_expiry_question_after_a_webhook_answer_does_not_go_to_integrations(
    transcript: Transcript,
) -> None:
    first = await transcript.say("How do I set up a webhook endpoint?")
    assert isinstance(first, Respond) and first.articles[0].team == "integrations"
    decision = await transcript.say("My card expires next month, what should I do?")
    assert isinstance(decision, Escalate)
    # Its own retrieval (a billing article) when that is relevant, else the channel's team: never integrations.
    assert decision.handoff.team in ("billing", "support"), decision.trace
    assert await _team_of(transcript, decision) == decision.handoff.team


async def test_a_follow_up_after_a_webhook_answer_stays_with_integrations(transcript: Transcript) -> None:
    first = await transcript.say("How do I set up a webhook endpoint?")
    assert isinstance(first, Respond)
    decision = await transcript.say("I did all of that and it still doesn't work, can a person look at it?")
    assert isinstance(decision, Escalate)
    assert decision.handoff.team == "integrations"
