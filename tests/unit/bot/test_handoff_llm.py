"""The LLM's handoff summary: used when grounded in the transcript, never when it invents a number or fails."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from bot.core.ports import History
from bot.core.types import ArticleHit
from bot.orchestration.handoff import build_handoff, summarize_with, transcript
from knowledge.writer import LlmWriter
from tests.unit.policies.conftest import make_ctx

HISTORY = History(
    customer_texts=("How long is a password reset link valid?",),
    transcript=(("Customer", "How long is a password reset link valid?"), ("AI", "The link is valid for 30 minutes.")),
    ai_answers=1,
    last_articles=(ArticleHit("reset", "Reset your password", 0.9),),
)


def handoff_and_source() -> tuple[Any, Any]:
    ctx = make_ctx("it expired after 5 minutes, that answer is wrong", history=HISTORY)
    return build_handoff(ctx, reason="repeated_failure", team=""), transcript(ctx)


async def test_a_grounded_llm_summary_replaces_the_narrative_and_keeps_one_why() -> None:
    handoff, source = handoff_and_source()
    text = "The customer asked how long a reset link lasts; the AI said 30 minutes (Reset your password) but theirs expired after 5 minutes."
    model = FakeListChatModel(responses=[text])
    summarized = await summarize_with(LlmWriter(model), handoff, source)
    assert summarized.summary.splitlines() == [text, "Why: The AI's answers did not help, twice."]
    assert summarized.title == handoff.title  # the headline stays the customer's own words


async def test_a_summary_with_an_invented_number_or_a_failure_keeps_the_extractive_one() -> None:
    handoff, source = handoff_and_source()
    invented = FakeListChatModel(responses=["The customer was told the link lasts 60 minutes."])
    assert (await summarize_with(LlmWriter(invented), handoff, source)).summary == handoff.summary

    class Broken:
        async def ainvoke(self, messages: Any) -> Any:
            raise TimeoutError("provider timed out")

    assert (await summarize_with(LlmWriter(Broken()), handoff, source)).summary == handoff.summary
    empty = FakeListChatModel(responses=["   "])
    assert (await summarize_with(LlmWriter(empty), handoff, source)).summary == handoff.summary


async def test_the_prompt_carries_the_transcript_in_order() -> None:
    handoff, source = handoff_and_source()
    seen: list[str] = []

    class Recording(FakeListChatModel):
        async def ainvoke(self, messages: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            seen.append(str(messages[0].content))
            return await super().ainvoke(messages, *args, **kwargs)

    await summarize_with(LlmWriter(Recording(responses=["ok"])), handoff, source)
    prompt = seen[0]
    first = prompt.index("Customer: How long is a password reset link valid?")
    assert first < prompt.index("AI: The link is valid for 30 minutes.") < prompt.index("Customer: it expired after 5")
    assert "Reset your password" in prompt  # the cited article is among the facts it may use
