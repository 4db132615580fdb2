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


async def test_and_how_long_does_that_take_is_about_the_threads_procedure(transcript: Transcript) -> None:
    """A follow-up with no topic word of its own: the thread finds the article and points at the section, the
    message asks for a duration."""
    await transcript.say("How do I request the SOC 2 report?")
    follow = await transcript.say("and how long does that take?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "security-soc2-report"
    assert "within 2 business days" in follow.reply.text
    assert "1. Go to" not in follow.reply.text  # the duration asked for, not the procedure again


async def test_a_chain_of_follow_ups_keeps_the_first_topic(transcript: Transcript) -> None:
    """"and can I resend it?" leans on "how long is the link valid?", which itself leans on the invitation."""
    await transcript.say("How do I invite teammates to my workspace?")
    valid = await transcript.say("how long is the link valid?")
    assert isinstance(valid, Respond) and "7 days" in valid.reply.text
    resend = await transcript.say("and can I resend it?")
    assert isinstance(resend, Respond) and resend.articles[0].article_id == "account-invite-teammates"
    assert "Resend" in resend.reply.text


async def test_when_does_that_take_effect_gets_the_sentence_that_says_when(transcript: Transcript) -> None:
    await transcript.say("how do I downgrade from Growth to Starter?")
    follow = await transcript.say("when does that take effect?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "billing-change-plan"
    assert "end of the billing period" in follow.reply.text or "end of your current billing period" in follow.reply.text


async def test_a_yes_no_follow_up_quotes_the_sentence_that_answers_it(transcript: Transcript) -> None:
    await transcript.say("How do I rotate an API key?")
    follow = await transcript.say("is the revoke immediate?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "integrations-api-keys"
    assert "Revocation is immediate." in follow.reply.text


async def test_what_about_carries_the_threads_question_over(transcript: Transcript) -> None:
    """"what about amex?" shares no word with the payment article ("American Express"): it is the thread's question
    asked of something else, not an off-topic message."""
    await transcript.say("can we pay by bank transfer?")
    follow = await transcript.say("what about amex?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "billing-payment-methods"


async def test_a_new_topic_in_the_same_thread_is_searched_on_its_own(transcript: Transcript) -> None:
    await transcript.say("How do I invite teammates to my workspace?")
    switch = await transcript.say("thanks! separately, where do I download last month's invoice?")
    assert isinstance(switch, Respond) and switch.articles[0].article_id == "billing-invoices-and-receipts"
    assert "Settings > Billing > Invoices" in switch.reply.text
    await transcript.say("How do I reset my password?")
    limit = await transcript.say("what is the API rate limit on Growth?")
    assert isinstance(limit, Respond) and limit.articles[0].article_id == "integrations-rate-limits"
    assert "100 on Growth" in limit.reply.text


async def test_an_unrelated_short_question_is_not_answered_from_the_thread(transcript: Transcript) -> None:
    await transcript.say("How do I set up single sign-on with SAML?")
    decision = await transcript.say("what is the capital of France?")
    assert isinstance(decision, Escalate) and decision.reason == "no_knowledge"


async def test_a_german_follow_up_uses_the_thread(transcript: Transcript) -> None:
    await transcript.say("Wie setze ich mein Passwort zurück?")
    follow = await transcript.say("Wie lange ist der Link gültig?")
    assert isinstance(follow, Respond) and follow.articles[0].article_id == "account-reset-password-de"
    assert "60 Minuten" in follow.reply.text
