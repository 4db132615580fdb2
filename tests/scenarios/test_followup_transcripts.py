"""Follow-ups through the real bootstrap, engine, knowledge base (examples/kb) and shipped policy chain.

A follow-up names no topic ("still broken", "human please"), yet its handoff belongs with the thread's team: the
team of an earlier customer message, else of the article the AI last cited.
"""

from __future__ import annotations

from bot.core.types import Escalate, InboundKind, Respond
from tests.fakes import AGENT
from tests.scenarios.conftest import Transcript


async def test_still_broken_after_an_invoice_answer_reaches_billing(transcript: Transcript) -> None:
    first = await transcript.say("Where can I download our invoices?")
    assert isinstance(first, Respond)
    # Nothing new to search for: ask for detail, like a first "Not helpful" click (it counts as a failure).
    clarify = await transcript.say("still broken")
    assert isinstance(clarify, Respond) and clarify.reason == "clarify" and clarify.articles == ()
    # The second failure: never a third AI try, and the handoff goes to the thread's team.
    decision = await transcript.say("still broken")
    assert isinstance(decision, Escalate) and decision.reason == "repeated_failure"
    [ticket] = transcript.agents.posted
    assert ticket.handoff.team == "billing"
    assert any(step.step == "topic" and "earlier message" in step.detail for step in decision.trace)


async def test_a_failure_with_detail_is_searched_again(transcript: Transcript) -> None:
    await transcript.say("How do I reset my password?")
    decision = await transcript.say("that didn't help, I never got the reset email")
    assert decision is not None and decision.reason != "clarify"
    assert any(step.step == "knowledge" for step in decision.trace)


async def test_a_request_for_a_person_goes_to_the_team_of_the_cited_article(transcript: Transcript) -> None:
    first = await transcript.say("How do I change my plan?")  # no configured topic word, a billing article
    assert isinstance(first, Respond) and first.articles[0].team == "billing"
    decision = await transcript.say("human please")
    assert isinstance(decision, Escalate) and decision.reason == "asked_for_human"
    assert decision.handoff.team == "billing"
    assert any(step.step == "topic" and "last cited article" in step.detail for step in decision.trace)


async def test_still_broken_after_a_person_resolved_it_goes_back_to_a_person(transcript: Transcript) -> None:
    await transcript.say("Where can I download our invoices?")
    handoff = await transcript.say("", kind=InboundKind.HUMAN_REQUEST)
    assert isinstance(handoff, Escalate)
    [ticket] = transcript.agents.posted
    await transcript.app.desk.reply(ticket.id, AGENT, "I re-sent the March invoice to your billing contact.")
    await transcript.app.desk.resolve(ticket.id, AGENT)
    decision = await transcript.say("still broken, nothing arrived")
    # About the person's fix, not the AI's answer: no "tell me more", no KB search, straight back to a person.
    assert isinstance(decision, Escalate) and decision.reason == "asked_for_human"
    assert "after a person's reply" in decision.trace[-1].detail
    assert decision.handoff.team == "billing"


async def test_a_follow_up_question_is_answered_in_the_threads_context(transcript: Transcript) -> None:
    """"does it work on the Starter plan?" names no topic: alone it finds the pricing list; after an SSO question it
    is about SSO, retrieved and answered with the thread's earlier turn."""
    first = await transcript.say("How do I set up single sign-on with SAML?")
    assert isinstance(first, Respond) and first.articles[0].article_id == "security-sso-saml"
    follow = await transcript.say("does it work on the Starter plan?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "security-sso-saml"
    assert "Enterprise" in follow.reply.text


async def test_a_detail_asked_next_comes_from_the_same_article(transcript: Transcript) -> None:
    await transcript.say("How do I invite teammates to my workspace?")
    follow = await transcript.say("how long is the link valid?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "account-invite-teammates"
    assert "7 days" in follow.reply.text
