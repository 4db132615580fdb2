"""The configured LLM as a second reader of complaints (policies/mood.py), with fake chat models, through the real
bootstrap and dispatcher: one cached classification call per message text, never the only guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage

from bot.bootstrap import bootstrap
from bot.core.types import Escalate, Respond
from bot.settings import Config, Settings
from policies.mood import LlmMood
from tests.scenarios.conftest import Transcript, make_app


class CountingFake(GenericFakeChatModel):
    """Answers every call with the same text and counts the calls."""

    answer: str = "none"
    calls: int = 0

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.messages = iter([AIMessage(self.answer)])
        return super()._generate(messages, *args, **kwargs)


class BrokenModel(GenericFakeChatModel):
    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("<html>502 Bad Gateway</html>")


class SlowModel(GenericFakeChatModel):
    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(5)
        raise AssertionError("not reached")


@pytest.fixture
async def with_mood(
    kb_settings: Settings, example_config: Config, knowledge_base: Any
) -> AsyncIterator[tuple[Transcript, CountingFake]]:
    app, outbox, agents = await make_app(kb_settings, example_config, knowledge_base)
    model = CountingFake(messages=iter([]))
    app.engine.read_mood = LlmMood(model).read
    yield Transcript(app, outbox, agents), model
    await app.close()


async def test_a_complaint_in_words_of_its_own_goes_to_a_person(with_mood: tuple[Transcript, CountingFake]) -> None:
    chat, model = with_mood
    model.answer = "Complaint."
    decision = await chat.say("Two weeks now. Still nothing from you lot.")
    assert isinstance(decision, Escalate) and decision.reason == "sensitive:complaint"
    assert "language model" in decision.handoff.summary
    assert any(step.step == "mood" and step.detail == "complaint" for step in decision.trace)


async def test_abuse_goes_to_the_threat_category_and_the_call_is_cached(
    with_mood: tuple[Transcript, CountingFake],
) -> None:
    chat, model = with_mood
    model.answer = "abuse"
    first = await chat.say("you are all clowns")
    assert isinstance(first, Escalate) and first.reason == "sensitive:threat_abuse"
    other = Transcript(chat.app, chat.outbox, chat.agents)
    await other.say("you are all clowns")
    assert model.calls == 1  # the same text is read once


async def test_an_ordinary_question_is_still_answered(with_mood: tuple[Transcript, CountingFake]) -> None:
    chat, model = with_mood
    model.answer = "none"
    decision = await chat.say("How do I reset my password?")
    assert isinstance(decision, Respond) and model.calls == 1


@pytest.mark.parametrize("model", [BrokenModel(messages=iter([])), CountingFake(messages=iter([]), answer="hmm?")])
async def test_a_failed_reading_leaves_the_word_lists_in_charge(
    kb_settings: Settings, example_config: Config, knowledge_base: Any, model: GenericFakeChatModel
) -> None:
    app, outbox, agents = await make_app(kb_settings, example_config, knowledge_base)
    app.engine.read_mood = LlmMood(model).read
    chat = Transcript(app, outbox, agents)
    angry = await chat.say("This is ridiculous, worst service I have ever had!")
    assert isinstance(angry, Escalate) and angry.reason.startswith("sensitive:")
    plain = await Transcript(app, outbox, agents).say("How do I reset my password?")
    assert isinstance(plain, Respond)
    await app.close()


async def test_a_slow_model_times_out_quietly() -> None:
    reader = LlmMood(SlowModel(messages=iter([])), timeout=0.05)
    assert await reader.read("where is my refund") is None


async def test_bootstrap_reads_mood_only_with_a_chat_model(
    kb_settings: Settings, example_config: Config, knowledge_base: Any
) -> None:
    app, _, _ = await make_app(kb_settings, example_config, knowledge_base)
    assert app.engine.read_mood is None  # no FRONTDESK_LLM: nothing is called
    await app.close()

    class WithModel:
        chat_model = CountingFake(messages=iter([]))

        async def answer(self, question: Any) -> Any:
            raise AssertionError("not asked")

    app = await bootstrap(kb_settings, config=example_config, answerer=WithModel(), kb_languages=frozenset({"en"}))
    assert app.engine.read_mood is not None
    await app.close()
