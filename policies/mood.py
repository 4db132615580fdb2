"""The configured LLM as a second reader of a customer's mood: is this a complaint, abuse or a threat?

Word lists and sentiment lexicons miss what customers write in words of their own, in any language ("two weeks
and still nothing", "sabse ghatiya company"). When FRONTDESK_LLM is set the engine asks the model once per message
(one short classification call, cached by text) before the input chain, and puts the verdict in the context notes;
`SensitiveTopics` escalates on it. It is never the only guard: the keyword, pattern and sentiment checks run
whatever the model says, and a failed, slow or unreadable call simply adds nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

MOOD_NOTE = "mood"  # the context note the verdict goes into
VERDICTS = ("complaint", "abuse", "threat", "none")
ESCALATING = frozenset({"complaint", "abuse", "threat"})
PROMPT = (
    "You screen messages sent to a company's customer support. Classify the customer's message, which may be in "
    "any language, with exactly one word:\n"
    "complaint - the customer is dissatisfied, annoyed or angry with the company or its service, or asks to "
    "complain\n"
    "abuse - insults or offensive language aimed at the company or its staff\n"
    "threat - threatens harm, legal action or public exposure\n"
    "none - an ordinary question, request or problem report, even about something broken or lost\n"
    "Answer with the one word only."
)
_log = logging.getLogger(__name__)
_WORD = re.compile(r"[a-z]+")


@dataclass(slots=True)
class LlmMood:
    """Reads one message's mood with a LangChain chat model; `read` never raises."""

    chat_model: Any
    timeout: float = 10.0
    max_cached: int = 4096
    cache: OrderedDict[str, str] = field(default_factory=OrderedDict)

    async def read(self, text: str) -> str | None:
        """"complaint", "abuse", "threat" or "none"; None when the model failed or answered something else."""
        key = " ".join(text.split()).casefold()
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        verdict = await self._ask(text)
        if verdict is None:
            return None  # a failure is not remembered: the next message may get through
        self.cache[key] = verdict
        if len(self.cache) > self.max_cached:
            self.cache.popitem(last=False)
        return verdict

    async def _ask(self, text: str) -> str | None:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            reply = await asyncio.wait_for(
                self.chat_model.ainvoke([SystemMessage(PROMPT), HumanMessage(text[:2000])]), self.timeout
            )
            answer = reply.content if isinstance(reply.content, str) else str(reply.content)
        except Exception as exc:  # any provider error: the other guards still decide
            _log.warning("mood classification failed (%s); the keyword and sentiment checks still apply", type(exc).__name__)
            return None
        words = _WORD.findall(answer.casefold())
        verdict = next((w for w in words if w in VERDICTS), None)
        if verdict is None:
            _log.warning("mood classification: unreadable answer %r", answer[:80])
        return verdict
