"""Follow-up questions: the thread's earlier customer turns carry the topic a short or pointing message lacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.types import Question
from knowledge.base import KnowledgeBase
from knowledge.followup import earlier_turns, is_follow_up, points_back, with_context
from tests.unit.knowledge.conftest import EXAMPLE_KB
from tests.unit.knowledge.test_llm import _llm


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("does it work on the Starter plan?", True),  # points back
        ("and for annual?", True),  # too short to name a topic
        ("how long do both work?", True),
        ("How do I set up single sign-on with SAML for our company?", False),
        ("where do I download the March invoice as a PDF", False),
        ("how long is the link valid?", True),  # "how long" asks; only "link" and "valid" name something
        ("what about amex?", True),
    ],
)
def test_what_counts_as_a_follow_up(text: str, follow_up: bool) -> None:
    assert is_follow_up(text, "en") is follow_up


def test_context_comes_from_the_latest_earlier_turn_that_names_a_topic() -> None:
    history = ["How do I set up SSO with SAML?", "ok", "does it work on Starter?"]
    assert earlier_turns("does it work on Starter?", history) == ["ok", "How do I set up SSO with SAML?"]
    assert with_context("does it work on Starter?", history, "en") == (
        "How do I set up SSO with SAML? does it work on Starter?"
    )
    assert with_context("does it work?", ["hi", "does it work?"], "en") is None  # nothing earlier names a topic
    assert with_context("does it work?", [], "en") is None
    # A follow-up of a follow-up carries the whole chain back to the turn that named the topic; thanks carry nothing.
    chain = ["How do I invite teammates?", "how long is the link valid?", "great, thanks!"]
    assert with_context("and can I resend it?", chain, "en") == (
        "How do I invite teammates? how long is the link valid? and can I resend it?"
    )


@pytest.mark.parametrize(
    ("text", "points"),
    [("what about amex?", True), ("and for annual?", True), ("how long does that take?", True), ("capital of France", False)],
)
def test_what_points_back(text: str, points: bool) -> None:
    assert points_back(text, "en") is points


async def test_a_follow_up_is_answered_from_the_threads_article(
    small_kb: Path, make_kb: Callable[..., KnowledgeBase]
) -> None:
    kb = make_kb(small_kb)
    first = "How do I get a refund for my annual plan?"
    alone = await kb.answer(Question("how many days do I have?", "en"))
    threaded = await kb.answer(Question("how many days do I have?", "en", history=(first,)))
    assert threaded.articles[0].article_id == "refunds"
    assert "14 days" in threaded.text
    assert threaded.confidence > alone.confidence


async def test_a_new_question_in_an_old_thread_keeps_its_own_topic(
    small_kb: Path, make_kb: Callable[..., KnowledgeBase]
) -> None:
    kb = make_kb(small_kb)
    alone = await kb.answer(Question("How do I reset my password?", "en"))
    threaded = await kb.answer(
        Question("How do I reset my password?", "en", history=("How do I get a refund for my annual plan?",))
    )
    assert threaded.articles[0].article_id == alone.articles[0].article_id != "refunds"


async def test_the_llm_sees_the_earlier_turns(small_kb: Path, make_kb: Callable[..., KnowledgeBase]) -> None:
    kb = make_kb(small_kb)
    kb.chat_model = _llm("You have 14 days.")
    first = "How do I get a refund for my annual plan?"
    await kb.answer(Question("how many days do I have?", "en", history=(first, "how many days do I have?")))
    messages = [str(m.content) for m in kb.chat_model.seen[0][1:]]
    assert messages == [first, "how many days do I have?"]  # earlier turn first, the question last, no repeat


async def test_no_knowledge_only_when_nothing_relevant_was_found(make_kb: Callable[..., KnowledgeBase]) -> None:
    """Casual wording shares few words with the right article; the dense and a lexical retriever agreeing on it
    still makes it relevant (an unsure answer is `low_confidence`, not a knowledge gap). Off-topic stays irrelevant."""
    kb = make_kb(EXAMPLE_KB)
    casual = await kb.answer(Question("our card expires next week, where do i put the new one", "en"))
    assert casual.articles[0].article_id == "billing-payment-methods" and casual.relevant
    off_topic = await kb.answer(Question("whats the weather like in berlin today", "en"))
    assert not off_topic.relevant
