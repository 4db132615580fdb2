"""The LLM answer: a LangChain chat model answers from the retrieved passages only (or declines), and its token
usage is returned for cost accounting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.types import TokenUsage
from knowledge.documents import Article, Passage, plain_text

SYSTEM_PROMPT = """You are a support assistant answering a customer.
{persona}
Answer ONLY from the passages below. If they do not contain the answer, reply exactly: NO_ANSWER
Keep it short, plain text, no preamble about being an AI, do not invent links, prices, dates or numbers.

Passages:
{passages}"""


def llm_answer(
    chat_model: Any,
    persona: str,
    question: str,
    passages: Sequence[tuple[Article, Passage]],
    history: Sequence[str] = (),
) -> tuple[str, TokenUsage]:
    """Ask a LangChain chat model to answer from `passages` only. Returns ("", usage) when it declines.

    `history` holds the customer's earlier turns in the thread (oldest first), sent before the question so that a
    follow-up ("does it work on the Starter plan?") is read in its context."""
    from langchain_core.messages import HumanMessage, SystemMessage

    context = "\n\n".join(f"[{a.id}] {a.title} — {p.heading}\n{plain_text(p.text)}" for a, p in passages)
    messages = [
        SystemMessage(SYSTEM_PROMPT.format(persona=persona.strip(), passages=context)),
        *(HumanMessage(turn) for turn in history),
        HumanMessage(question),
    ]
    reply = chat_model.invoke(messages)
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    meta = getattr(reply, "usage_metadata", None) or {}
    usage = TokenUsage(
        input_tokens=int(meta.get("input_tokens", 0)) or _approx_tokens(" ".join(str(m.content) for m in messages)),
        output_tokens=int(meta.get("output_tokens", 0)) or _approx_tokens(text),
    )
    text = text.strip()
    return ("" if "NO_ANSWER" in text else text), usage


def _approx_tokens(text: Any) -> int:
    # Providers without usage metadata (and fake models in tests) still get a cost estimate: ~4 chars per token.
    return max(1, len(str(text)) // 4)
