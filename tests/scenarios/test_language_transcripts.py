"""Languages through the real bootstrap on examples/kb (articles in English, German and Spanish): answers in the
customer's language carry the sources heading in that language on Slack and in the playground; a customer who
switches language mid-thread is answered in the new one, and a handoff card names both."""

from __future__ import annotations

import json

from adapters.slack.blocks import render
from adapters.web.render import render_reply
from bot.core.types import Escalate, Respond
from tests.scenarios.conftest import Transcript


async def test_sources_heading_follows_the_reply_language(transcript: Transcript) -> None:
    decision = await transcript.say("Wie kann ich mein Passwort zurücksetzen?")
    assert isinstance(decision, Respond) and decision.language == "de" and decision.reply.citations
    assert decision.reply.sources_label == "Quellen"
    slack = json.dumps([m.blocks for m in render(decision.reply)], ensure_ascii=False)
    assert "Quellen:" in slack and "Sources:" not in slack
    html = render_reply(decision.reply)
    assert "Quellen" in html and ">Sources<" not in html


async def test_english_answers_keep_the_english_heading(transcript: Transcript) -> None:
    decision = await transcript.say("How do I reset my password?")
    assert isinstance(decision, Respond) and decision.reply.sources_label == "Sources"


async def test_code_switching_answers_in_the_latest_language_and_the_card_says_both(transcript: Transcript) -> None:
    first = await transcript.say("How do I reset my password?")
    assert isinstance(first, Respond) and first.language == "en"
    short = await transcript.say("gracias")
    assert short is None or short.language == "en"  # a short word does not flip the thread
    switched = await transcript.say("¿Cómo puedo cambiar mi plan de suscripción a uno anual?")
    assert switched is not None and switched.language == "es"
    angry = await transcript.say("Me habéis cobrado dos veces este mes y quiero que me devolváis el dinero ya")
    assert isinstance(angry, Escalate) and angry.language == "es"
    assert "Language: es (earlier in this thread: en)" in angry.handoff.summary
