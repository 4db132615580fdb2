"""`LlmWriter`: the configured LangChain chat model writing for agents (`bot.core.ports.Writer`).

Two jobs, both shown to an agent before anything reaches a customer: the handoff summary (what the customer asked,
what the AI answered and cited, why it handed off — from the transcript only) and a clearer wording of an agent's
own reply (agent-first). The caller checks the text (`bot.orchestration.handoff.grounded`) and falls back to the
extractive summary or the agent's words, so a model that rambles or invents never reaches the card unchecked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

SUMMARY_PROMPT = """You brief a support agent who is taking over a customer conversation from an AI assistant.
Using ONLY the transcript below, write 2 to 4 short plain sentences:
1. what the customer asked (their words, the actual problem),
2. what the AI answered, naming the articles it cited, and whether that answer could be wrong,
3. why it was handed to a person.
Do not invent facts, numbers, names or promises. No greeting, no bullet points, no markdown.

Facts from the system: {facts}

Transcript:
{transcript}"""

IMPROVE_PROMPT = """You help a support agent polish a reply before they send it to a customer.
Rewrite the agent's reply so it is clear, friendly and concise, in the same language as the reply. Keep every fact,
number, link and promise exactly as the agent wrote it; add nothing that is not in the reply or the references.
If the reply contradicts the references, keep the agent's facts. Answer with the rewritten reply only.

Customer's question: {question}

References:
{references}"""


def _text(reply: Any) -> str:
    content = getattr(reply, "content", "")
    return (content if isinstance(content, str) else str(content)).strip()


class LlmWriter:
    """Implements `bot.core.ports.Writer` with a LangChain chat model (`init_chat_model`, or a fake in tests)."""

    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    async def _ask(self, system: str, human: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(system), HumanMessage(human)]
        ainvoke = getattr(self.chat_model, "ainvoke", None)
        if ainvoke is not None:
            return _text(await ainvoke(messages))
        return _text(await asyncio.to_thread(self.chat_model.invoke, messages))

    async def summarize(self, transcript: Sequence[tuple[str, str]], facts: str) -> str:
        lines = "\n".join(f"{speaker}: {' '.join(text.split())}" for speaker, text in transcript)
        return await self._ask(SUMMARY_PROMPT.format(facts=facts, transcript=lines), "Write the briefing.")

    async def improve(self, draft: str, question: str, references: Sequence[str]) -> str:
        refs = "\n\n".join(references) or "(none)"
        return await self._ask(IMPROVE_PROMPT.format(question=question, references=refs), draft)
