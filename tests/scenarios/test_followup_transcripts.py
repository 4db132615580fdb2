"""Follow-ups through the real bootstrap, engine, knowledge base (examples/kb) and shipped policy chain.

A follow-up names no topic ("still broken", "human please"), yet its handoff belongs with the thread's team: the
team of an earlier customer message, else of the article the AI last cited.
"""

from __future__ import annotations

from bot.types import Escalate, Respond
from tests.scenarios.conftest import Transcript


async def test_still_broken_after_an_invoice_answer_reaches_billing(transcript: Transcript) -> None:
    first = await transcript.say("Where can I download our invoices?")
    assert isinstance(first, Respond)
    for _ in range(2):  # never a third AI try: the handoff comes within two follow-ups
        decision = await transcript.say("still broken")
        if isinstance(decision, Escalate):
            break
    assert isinstance(decision, Escalate), decision
    [ticket] = transcript.agents.posted
    assert ticket.handoff.team == "billing"
    assert any(step.step == "topic" and "earlier message" in step.detail for step in decision.trace)


async def test_a_request_for_a_person_goes_to_the_team_of_the_cited_article(transcript: Transcript) -> None:
    first = await transcript.say("How do I change my plan?")  # no configured topic word, a billing article
    assert isinstance(first, Respond) and first.articles[0].team == "billing"
    decision = await transcript.say("human please")
    assert isinstance(decision, Escalate) and decision.reason == "asked_for_human"
    assert decision.handoff.team == "billing"
    assert any(step.step == "topic" and "last cited article" in step.detail for step in decision.trace)
