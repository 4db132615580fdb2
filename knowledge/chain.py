"""Turning ranked articles into answer text: extractive by default, an LLM through LangChain when configured.

The extractive answer is the best-matching passage of the top article cut to a few plain sentences (no
frontmatter, no Markdown marks); the persona policy trims further. The LLM path gets only the retrieved passages
and is told to answer from them alone; its token usage is returned for cost accounting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.types import TokenUsage
from knowledge.documents import Article, Passage, plain_text, sentences
from knowledge.index import tokenize


def best_passage(
    article: Article, query: str, passage_sims: np.ndarray | None, language: str, *, shortlist: int = 4
) -> Passage | None:
    """The passage that best answers `query`: dense similarity plus word overlap, earlier passages on ties.

    Word overlap is only computed for the `shortlist` passages the dense keys rank highest (long manuals have
    hundreds of passages; tokenizing them all per question would dominate answer latency).
    """
    if not article.passages:
        return None
    candidates = list(range(len(article.passages)))
    if passage_sims is not None and len(passage_sims) == len(article.passages) and len(candidates) > shortlist:
        top = set(np.argsort(-passage_sims)[:shortlist].tolist()) | {0}
        candidates = sorted(top)
    elif len(candidates) > shortlist * 4:
        candidates = candidates[: shortlist * 4]
    q = set(tokenize(query, language))
    best, best_score = article.passages[candidates[0]], -1e9
    for i in candidates:
        p = article.passages[i]
        words = set(tokenize(f"{p.heading} {p.text}", language))
        overlap = len(q & words) / (len(q) or 1)
        dense = float(passage_sims[i]) if passage_sims is not None and i < len(passage_sims) else 0.0
        score = dense + 0.5 * overlap - 0.02 * i  # lead sections usually carry the direct answer
        if score > best_score:
            best, best_score = p, score
    return best


def extract(passage: Passage, query: str, language: str, *, max_sentences: int = 2, max_chars: int = 400) -> str:
    """1–`max_sentences` sentences of the passage, starting at the one sharing most words with the question."""
    sents = sentences(plain_text(passage.text))
    if not sents:
        return ""
    q = set(tokenize(query, language))
    overlap = [len(q & set(tokenize(s, language))) for s in sents]
    start = int(np.argmax([o - 0.1 * i for i, o in enumerate(overlap)])) if q else 0
    # Only skip the passage's opening for a clearly better match: a later sentence sharing one word with the
    # question often depends on the sentences before it.
    if overlap[start] < 2 or overlap[start] <= overlap[0]:
        start = 0
    # Keep a colon-ended intro together with what it introduces.
    out: list[str] = []
    for s in sents[start:]:
        if out and (len(out) >= max_sentences and not out[-1].endswith(":")):
            break
        if out and len(" ".join([*out, s])) > max_chars:
            break
        out.append(s)
    text = " ".join(out)
    if len(text) > max_chars:
        cut = text[: max_chars - 1].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:") + "…"
    return text


SYSTEM_PROMPT = """You are a support assistant answering a customer.
{persona}
Answer ONLY from the passages below. If they do not contain the answer, reply exactly: NO_ANSWER
Keep it short, plain text, no preamble about being an AI, do not invent links, prices, dates or numbers.

Passages:
{passages}"""


def llm_answer(
    chat_model: Any, persona: str, question: str, passages: Sequence[tuple[Article, Passage]]
) -> tuple[str, TokenUsage]:
    """Ask a LangChain chat model to answer from `passages` only. Returns ("", usage) when it declines."""
    from langchain_core.messages import HumanMessage, SystemMessage

    context = "\n\n".join(f"[{a.id}] {a.title} — {p.heading}\n{plain_text(p.text)}" for a, p in passages)
    messages = [
        SystemMessage(SYSTEM_PROMPT.format(persona=persona.strip(), passages=context)),
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
