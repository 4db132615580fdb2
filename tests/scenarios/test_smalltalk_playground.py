"""Small talk where the customer can see it, through the web playground's real HTTP API (adapters.server).

"hi" gets "How can I help?" with a "why" line that says it was a greeting, and the knowledge base is never asked.
"""

from __future__ import annotations

from tests.adapters.web.conftest import Playground, make_playground, playground  # noqa: F401 - fixtures


async def test_hi_is_greeted_without_asking_the_knowledge_base(playground: Playground) -> None:  # noqa: F811
    await playground.say("hi", thread="t-hi")
    bot = [m for m in await playground.latest("t-hi") if m["role"] == "bot"]
    assert len(bot) == 1 and bot[0]["why"]["label"] == "Replied: Greeted the customer"
    assert bot[0]["text"] == "Hi! What can I help you with?"
    assert playground.answerer.asked == [] and not [t for t in await playground.tickets() if t["thread"] == "t-hi"]
