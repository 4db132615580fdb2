"""Small talk through the real bootstrap, engine, knowledge base (examples/kb) and shipped policy chain.

A greeting is not a question: the customer gets a short "How can I help?" in their language, no knowledge-base
answer and no handoff; their next message is answered as usual, in the language the greeting set.
"""

from __future__ import annotations

from bot.core.conversation import conversation_key
from bot.core.types import Actor, Escalate, Ignore, Respond, Role
from tests.scenarios.conftest import Transcript


async def test_hi_gets_how_can_i_help_and_the_question_after_it_is_answered(transcript: Transcript) -> None:
    hello = await transcript.say("hello there")
    assert isinstance(hello, Respond) and hello.reason == "greeting" and hello.articles == ()
    assert hello.reply.text == transcript.app.phrases.say("greeting", "en")
    assert [a.kind for a in hello.reply.actions] == ["human"]  # one click to a person, as under every AI message
    question = await transcript.say("How do I reset my password?")
    assert isinstance(question, Respond) and question.reason == "answered"
    assert not transcript.agents.posted


async def test_guten_tag_sets_the_thread_language(transcript: Transcript) -> None:
    hello = await transcript.say("Guten Tag")
    assert isinstance(hello, Respond) and hello.reason == "greeting" and hello.language == "de"
    assert transcript.seen()[-1].text == transcript.app.phrases.say("greeting", "de")
    stored = await transcript.app.store.load_conversation(conversation_key(transcript.address))
    assert stored is not None and stored.language == "de"
    ok = await transcript.say("ok")  # too short to detect: the thread's language (German) holds
    assert isinstance(ok, Ignore) and ok.language == "de"


async def test_greetings_in_every_knowledge_base_language(transcript: Transcript) -> None:
    for text, language in {"Hi team!": "en", "Hallo zusammen": "de", "¡Hola!": "es", "Buenos días": "es"}.items():
        transcript.thread = f"greet-{text}"
        decision = await transcript.say(text)
        assert isinstance(decision, Respond) and decision.reason == "greeting", text
        assert decision.language == language, text
    assert not transcript.agents.posted


async def test_a_greeting_with_a_question_is_a_question(transcript: Transcript) -> None:
    decision = await transcript.say("Hi! How do I reset my password?")
    assert isinstance(decision, Respond) and decision.reason == "answered" and decision.articles


async def test_dots_ask_what_they_need_once(transcript: Transcript) -> None:
    first = await transcript.say("...")
    assert isinstance(first, Respond) and first.reason == "no_words"
    again = await transcript.say("...")
    assert isinstance(again, Ignore) and again.reason == "no_words"
    assert len(transcript.seen()) == 1 and not transcript.agents.posted


async def test_thumbs_up_after_an_answer_stays_quiet(transcript: Transcript) -> None:
    await transcript.say("How do I reset my password?")
    thumbs = await transcript.say("👍")
    assert isinstance(thumbs, Ignore) and thumbs.reason == "acknowledged"
    assert len(transcript.seen()) == 1


async def test_didnt_help_before_any_answer_asks_then_hands_over(transcript: Transcript) -> None:
    first = await transcript.say("no that didn't help")
    assert isinstance(first, Respond) and first.reason == "clarify"  # not a complaint, not a failed attempt
    assert first.reply.text == transcript.app.phrases.say("clarify", "en")
    again = await transcript.say("nope, still doesn't work")
    assert isinstance(again, Escalate) and again.reason == "asked_for_human"
    stored = await transcript.app.store.load_conversation(conversation_key(transcript.address))
    assert stored is not None and stored.failed_attempts == 0  # the AI never answered, so it never failed


async def test_a_vip_greeting_goes_straight_to_a_person(transcript: Transcript) -> None:
    vip = Actor("U_VIP", "Hank", "globex", Role.CUSTOMER, True)
    decision = await transcript.say("Hi there", author=vip)
    assert isinstance(decision, Escalate) and decision.reason == "vip"


async def test_thanks_and_goodbye_after_an_answer_stay_quiet(transcript: Transcript) -> None:
    await transcript.say("How do I reset my password?")
    thanks = await transcript.say("thanks for your help")
    assert isinstance(thanks, Ignore) and thanks.reason == "acknowledged"
    bye = await transcript.say("perfect, have a nice day!")
    assert isinstance(bye, Ignore) and bye.reason == "farewell"
    assert len(transcript.seen()) == 1 and not transcript.agents.posted


async def test_an_introduction_is_greeted_and_the_question_after_it_answered(transcript: Transcript) -> None:
    hello = await transcript.say("Hi, I'm Dana from Acme")
    assert isinstance(hello, Respond) and hello.reason == "greeting"
    question = await transcript.say("How do I reset my password?")
    assert isinstance(question, Respond) and question.reason == "answered"
    assert not transcript.agents.posted


async def test_in_an_agent_first_channel_a_greeting_goes_to_the_agents(transcript: Transcript) -> None:
    await transcript.app.store.set_channel(transcript.address, mode="agent-first")
    hello = await transcript.say("Guten Tag")
    assert isinstance(hello, Escalate) and hello.reason == "agent_first" and hello.language == "de"
    assert hello.articles == ()  # not searched, so not reported as a knowledge gap
    [ticket] = transcript.agents.posted
    assert ticket.handoff.language == "de" and "Guten Tag" in ticket.handoff.summary
