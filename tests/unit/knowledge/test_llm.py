"""The LLM path: LangChain chat model, prompt with persona and retrieved passages only, token usage recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage

from bot.core.types import Question
from knowledge.base import KnowledgeBase


class RecordingFake(GenericFakeChatModel):
    """A fake chat model that also keeps the prompts it was given."""

    seen: list[list[BaseMessage]] = []

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def _llm(text: str) -> RecordingFake:
    usage = {"input_tokens": 321, "output_tokens": 12, "total_tokens": 333}
    model = RecordingFake(messages=iter([AIMessage(text, usage_metadata=usage)]))
    model.seen = []
    return model


async def test_llm_answers_from_passages_and_records_usage(
    small_kb: Path, make_kb: Callable[..., KnowledgeBase]
) -> None:
    kb = make_kb(small_kb)
    kb.chat_model = _llm("Annual plans can be refunded within 14 days.")
    kb.persona = "Voice: short and friendly."
    ans = await kb.answer(Question("can I get a refund?", "en"))
    assert ans.text == "Annual plans can be refunded within 14 days."
    assert (ans.usage.input_tokens, ans.usage.output_tokens) == (321, 12)
    system = str(kb.chat_model.seen[0][0].content)
    assert "Voice: short and friendly." in system
    assert "Answer ONLY from the passages" in system
    assert "refunded within 14 days" in system
    assert "ZEBRA" not in system  # internal passages never reach a customer prompt
    # The guardrails check the answer's facts against what it was grounded on: the passages given to the model.
    assert ans.passages and all(p in system for p in ans.passages)
    assert any("14 days" in p for p in ans.passages)


async def test_llm_declining_falls_back_to_the_extract(small_kb: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    kb = make_kb(small_kb)
    kb.chat_model = _llm("NO_ANSWER")
    ans = await kb.answer(Question("can I get a refund?", "en"))
    assert "refund" in ans.text.lower() and "NO_ANSWER" not in ans.text
    assert ans.usage.output_tokens > 0
