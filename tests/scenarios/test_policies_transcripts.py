"""Policy transcripts through the real bootstrap, engine, knowledge base (examples/kb) and shipped policy chain.

Customer says … → the bot answers, asks for detail, or hands off with the right reason, team and language.
"""

from __future__ import annotations

from typing import Any

import policies
from bot.core.types import Actor, Draft, Escalate, Ignore, InboundKind, Mode, Priority, Respond, Role
from bot.settings import Config, Settings
from policies.persona import PersonaRules
from tests.scenarios.conftest import Transcript, make_app

RULES = PersonaRules.of(policies.default_config().persona)


async def test_refund_request_goes_to_billing_before_any_answer(transcript: Transcript) -> None:
    decision = await transcript.say("I want a refund for the last invoice, we never used it")
    assert isinstance(decision, Escalate) and decision.reason == "sensitive:billing_dispute"
    assert decision.articles == ()  # decided before retrieval: no KB answer at all
    [ticket] = transcript.agents.posted
    assert ticket.handoff.team == "billing"
    assert "passed it to our team" in transcript.seen()[-1].text


async def test_each_sensitive_category_escalates_with_its_reason(transcript: Transcript) -> None:
    cases = {
        "Please delete all my data under GDPR": "sensitive:data_privacy",
        "Our lawyer is preparing a lawsuit": "sensitive:legal",
        "This is unacceptable, I'm furious with your service": "sensitive:complaint",
    }
    for text, reason in cases.items():
        transcript.thread = text[:8].replace(" ", "_")
        decision = await transcript.say(text)
        assert isinstance(decision, Escalate) and decision.reason == reason, (text, decision)


async def test_threats_are_urgent(transcript: Transcript) -> None:
    decision = await transcript.say("I know where you live and I'm going to hurt you")
    assert isinstance(decision, Escalate) and decision.reason == "sensitive:threat_abuse"
    assert decision.handoff.priority is Priority.URGENT
    assert any(step.step == "sensitive" for step in decision.trace)


async def test_not_helpful_twice_never_gets_a_third_ai_try(transcript: Transcript) -> None:
    first = await transcript.say("How do I reset my password?")
    assert isinstance(first, Respond)
    clarify = await transcript.not_helpful()
    assert isinstance(clarify, Respond) and clarify.reason == "clarify"
    assert "Talk to a human" in clarify.reply.text
    assert {a.kind for a in clarify.reply.actions} == {"human"}
    again = await transcript.not_helpful()
    assert isinstance(again, Escalate) and again.reason == "repeated_failure"


async def test_typed_failure_then_reask_escalates(transcript: Transcript) -> None:
    first = await transcript.say("How do I reset my password?")
    assert isinstance(first, Respond)
    second = await transcript.say("that didn't help, how do I reset my password")
    assert not isinstance(second, Escalate) or second.reason != "repeated_failure", second
    third = await transcript.say("How do I reset my password?")
    assert isinstance(third, Escalate) and third.reason == "repeated_failure"


async def test_human_button_and_typed_request_in_spanish(transcript: Transcript) -> None:
    decision = await transcript.say("Quiero hablar con una persona, por favor")
    assert isinstance(decision, Escalate) and decision.reason == "asked_for_human"
    assert decision.language == "es"
    assert "persona" in transcript.seen()[-1].text


async def test_german_question_is_answered_from_german_articles(transcript: Transcript) -> None:
    decision = await transcript.say("Wie kann ich mein Passwort zurücksetzen?")
    assert decision is not None and decision.language == "de"
    if isinstance(decision, Respond):
        assert decision.reply.actions[0].label == "Hilfreich"
    else:
        assert isinstance(decision, Escalate) and "Team" in decision.reply.text


async def test_language_without_a_knowledge_base_goes_to_humans(transcript: Transcript) -> None:
    decision = await transcript.say("Comment puis-je télécharger mes factures ?")
    assert isinstance(decision, Escalate) and decision.reason == "language"
    assert decision.language == "fr" and "équipe" in decision.reply.text


async def test_vip_org_goes_straight_to_a_person(transcript: Transcript) -> None:
    vip = Actor("U_VIP", "Hank", "globex", Role.CUSTOMER, True)
    decision = await transcript.say("How do I reset my password?", author=vip)
    assert isinstance(decision, Escalate) and decision.reason == "vip"
    assert decision.handoff.vip and decision.handoff.priority is Priority.HIGH


async def test_rollout_share_zero_sends_everyone_to_humans(transcript: Transcript) -> None:
    await transcript.app.store.set_channel(transcript.address, ai_share=0.0)
    decision = await transcript.say("How do I reset my password?")
    assert isinstance(decision, Escalate) and decision.reason == "routing"


async def test_hybrid_channel_splits_by_complexity(transcript: Transcript) -> None:
    await transcript.app.store.set_channel(transcript.address, mode="hybrid")
    complex_question = (
        "We are migrating from the v1 API to v2 and also need to configure SSO for several workspaces. "
        "What is the best way to do both? And how do webhook retries behave during the switch?"
    )
    decision = await transcript.say(complex_question)
    assert isinstance(decision, Escalate) and decision.reason == "routing"
    assert any("complex" in step.detail for step in decision.trace)


async def test_every_ai_reply_keeps_the_persona(transcript: Transcript) -> None:
    questions = [
        "How do I reset my password?",
        "Where can I download our invoices?",
        "How do webhook retries work?",
        "Can I switch to annual billing?",
        "How do I set up SSO with SAML?",
        "What are the API rate limits?",
    ]
    answered = 0
    for i, text in enumerate(questions):
        transcript.thread = f"persona-{i}"
        decision = await transcript.say(text)
        if isinstance(decision, Respond | Draft):
            reply = decision.reply if isinstance(decision, Respond) else decision.suggestion
            assert RULES.violations(reply.text, 0.9) == [], (text, reply.text)
            answered += 1
    assert answered >= 3


async def test_button_press_with_no_history_still_escalates(transcript: Transcript) -> None:
    decision = await transcript.say("", kind=InboundKind.HUMAN_REQUEST)
    assert isinstance(decision, Escalate) and decision.reason == "asked_for_human"


async def test_new_channel_drafts_for_approval_but_sensitive_still_escalates(
    kb_settings: Settings, example_config: Config, knowledge_base: Any
) -> None:
    config = example_config.model_copy(
        update={"routing": example_config.routing.model_copy(update={"approval_days": 30})}
    )
    app, outbox, agents = await make_app(kb_settings, config, knowledge_base)
    try:
        chat = Transcript(app, outbox, agents)
        decision = await chat.say("How do I reset my password?")
        assert isinstance(decision, Draft) and decision.mode is Mode.PRE_APPROVAL
        assert decision.notice is not None and decision.notice.text == app.phrases.say("draft_notice", "en")
        chat.thread = "second"
        refund = await chat.say("I want my money back for this month")
        assert isinstance(refund, Escalate) and refund.reason == "sensitive:billing_dispute"
    finally:
        await app.close()


async def test_a_thanks_is_not_a_question(transcript: Transcript) -> None:
    first = await transcript.say("Wie kann ich mein Passwort zurücksetzen?")
    assert isinstance(first, Respond) and first.language == "de"
    thanks = await transcript.say("ok danke")
    assert isinstance(thanks, Ignore) and thanks.reason == "acknowledged" and thanks.language == "de"
    assert len(transcript.seen()) == 1 and not transcript.agents.posted
