"""The playground's "No AI answers for me" button: the customer's lasting choice, then quiet handoffs."""

from __future__ import annotations

from bot.orchestration import no_ai
from tests.adapters.web.conftest import Playground


async def test_the_no_ai_button_under_an_answer(playground: Playground) -> None:
    pg = playground
    answer = await pg.say("How do I reset my password?", thread="t-noai", name="Dana", org="Acme")
    assert answer["decision"]["decision"] == "answer"
    [bot] = [m for m in await pg.latest("t-noai") if m["role"] == "bot"]
    assert 'data-kind="no_ai"' in bot["html"]
    pressed = await pg.act("no_ai", thread="t-noai", message=bot["id"], name="Dana", org="Acme")
    assert pressed["decision"]["reason"] == "no_ai_requested"
    assert (await pg.act("no_ai", thread="t-noai", message=bot["id"], name="Dana", org="Acme"))["duplicate"] is True
    confirmation = [m for m in await pg.latest("t-noai") if m["role"] == "bot"][-1]
    assert "not the AI" in confirmation["html"]

    # Another conversation of the same customer: a person answers, the AI says nothing.
    later = await pg.say("How do I reset my password?", thread="t-noai-2", name="Dana", org="Acme")
    assert later["decision"]["decision"] == "escalate" and later["decision"]["reason"] == "no_ai"
    assert [m for m in await pg.latest("t-noai-2") if m["role"] == "bot"] == []
    [ticket] = [t for t in await pg.tickets() if t["thread"] == "t-noai-2"]
    assert ticket["reason_text"].startswith("This customer asked for no AI answers")
    # Other customers still get AI answers.
    other = await pg.say("How do I reset my password?", thread="t-other", name="Lee", org="Globex")
    assert other["decision"]["decision"] == "answer"


async def test_the_composer_button_counts_even_while_a_person_has_the_thread(playground: Playground) -> None:
    first = await playground.say("A question the knowledge base does not cover", thread="t-c", name="Dana", org="Acme")
    assert first["decision"]["decision"] == "escalate"  # with a person now: the engine stays silent on presses
    await playground.act("no_ai", thread="t-c", name="Dana", org="Acme")
    [entry] = await no_ai.listed(playground.app.store)
    assert (entry.name, entry.org, entry.how) == ("Dana", "acme", "button")
    later = await playground.say("How do I reset my password?", thread="t-c2", name="Dana", org="Acme")
    assert later["decision"]["reason"] == "no_ai"


async def test_typed_while_a_person_has_the_thread_is_recorded_quietly(playground: Playground) -> None:
    first = await playground.say("A question the knowledge base does not cover", thread="t-w", name="Kim", org="Acme")
    assert first["decision"]["decision"] == "escalate"
    typed = await playground.say("Also: no AI answers for me from now on, please.", thread="t-w", name="Kim", org="Acme")
    assert (typed["decision"]["decision"], typed["decision"]["reason"]) == ("ignore", "no_ai_requested")
    assert [e.how for e in await no_ai.listed(playground.app.store)] == ["typed 'no ai answers'"]
    # Anything else typed while a person has the thread stays quiet, as before.
    other = await playground.say("Any news on this?", thread="t-w", name="Kim", org="Acme")
    assert other["decision"]["reason"] == "awaiting_human"
