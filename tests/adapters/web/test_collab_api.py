"""The playground API for agent-first and parallel: write, pick, and clear errors for picks a card does not offer."""

from __future__ import annotations

from tests.adapters.web.conftest import Playground


async def switch(pg: Playground, mode: str) -> None:
    assert (await pg.post("/ui/api/mode", {"mode": mode, "agent": "Alex"}))["mode"] == mode


async def test_parallel_write_then_pick_and_bad_picks_are_clear_errors(playground: Playground) -> None:
    pg = playground
    await switch(pg, "parallel")
    await pg.say("How do I reset my password?", thread="p1")
    [ticket] = [t for t in await pg.tickets() if t["thread"] == "p1"]
    assert ticket["title"] == "How do I reset my password?" and ticket["kind_label"].startswith("Parallel")
    assert [b["label"] for b in ticket["buttons"]] == ["Claim", "Write my reply", "Send the AI's draft"]
    early = await pg.act("pick", status=400, ticket=ticket["id"], agent="Alex", choice="mine")
    assert early["error"] == "write your reply first"
    odd = await pg.act("pick", status=400, ticket=ticket["id"], agent="Alex", choice="best")
    assert "'choice' must be one of" in odd["error"]
    written = await pg.act("write", ticket=ticket["id"], agent="Alex", text="Use the Forgot password link.")
    both = written["ticket"]
    assert both["proposal"] == {"text": "Use the Forgot password link.", "alternative": ""}
    assert [s["label"] for s in both["sections"]] == ["AI's draft", "Reply by Alex"]
    no_wording = await pg.act("pick", status=400, ticket=ticket["id"], agent="Alex", choice="improved")
    assert no_wording["error"] == "the AI suggested no other wording for this reply"
    picked = await pg.act("pick", ticket=ticket["id"], agent="Alex", choice="mine")
    assert picked["ticket"]["done"] == "Sent their own reply (picked over the AI's draft) — Alex"
    assert [m["text"] for m in await pg.latest("p1") if m["role"] == "agent"] == ["Use the Forgot password link."]
    collab = [f.reason for f in await pg.app.store.feedback() if f.kind == "collab"]
    assert collab == ["picked_agent"]


async def test_agent_first_without_an_llm_sends_the_agents_words(playground: Playground) -> None:
    pg = playground
    await switch(pg, "agent-first")
    await pg.say("How do I reset my password?", thread="a1")
    [ticket] = [t for t in await pg.tickets() if t["thread"] == "a1"]
    assert ticket["actions"] == ["claim", "write"] and ticket["sections"][0]["label"] == "References"
    done = await pg.act("write", ticket=ticket["id"], agent="Alex", text="Settings, then Security.")
    assert done["ticket"]["status"] == "claimed" and done["ticket"]["done"] == "Replied in their own words — Alex"
    assert [m["author"] for m in await pg.latest("a1") if m["role"] == "agent"] == ["Alex"]
    assert await pg.act("write", status=400, ticket=ticket["id"], agent="Alex", text="  ")
