"""After a restart the playground shows what the store holds: the messages, the notices and the "why" lines.

Two servers on one SQLite file stand for one server before and after a restart: the second starts with an empty
in-memory log and must rebuild it from the database, through the same JSON API the page polls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import channel_defaults
from bot.settings import Config, Settings
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.adapters.web.conftest import MakePlayground, Playground, make_config
from tests.adapters.web.test_api import by_role


@pytest.fixture
async def restart(make_playground: MakePlayground, tmp_path: Path) -> Any:
    url = f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
    await upgrade(url)

    async def start(config: Config | None = None) -> Playground:
        config = config or make_config()
        return await make_playground(config, SqlStore(url, channel_defaults(config, Settings(data_dir=tmp_path))))

    return start


def shown(messages: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None, list[str]]]:
    """What a person sees of each message, in time order: who, what, the why line, which buttons are pressed."""
    ordered = sorted(messages, key=lambda m: m["at"])
    return [(m["role"], m["author"], m["text"], (m["why"] or {}).get("label"), m["pressed"]) for m in ordered]


async def test_a_handoff_conversation_survives_a_restart(restart: Any) -> None:
    before = await restart()
    await before.say("How do I reset my password?", thread="t-r", name="Dana", org="Globex")
    answer = by_role(await before.latest("t-r"), "bot")[0]
    assert answer["text"].startswith("Open *Settings*")
    await before.act("helpful", thread="t-r", message=answer["id"], name="Dana", org="Globex")
    await before.say("I want to talk to a human", thread="t-r", name="Dana", org="Globex")
    [ticket] = await before.tickets()
    await before.act("claim", ticket=ticket["id"], agent="Alex (agent)")
    await before.act("reply", ticket=ticket["id"], agent="Alex (agent)", text="Sent you a reset link, Dana.")
    await before.act("resolve", ticket=ticket["id"], agent="Alex (agent)")
    csat = by_role(await before.latest("t-r"), "bot")[-1]
    await before.act("csat", thread="t-r", message=csat["id"], value="5", name="Dana", org="Globex")
    seen = shown(await before.latest("t-r"))
    assert [s[0] for s in seen] == ["customer", "bot", "customer", "bot", "bot", "agent", "bot"]

    after = await restart()
    assert shown(await after.latest("t-r")) == seen
    restored = sorted(await after.latest("t-r"), key=lambda m: m["at"])
    assert any(step["step"] == "knowledge" for step in restored[1]["why"]["trace"])  # the trace, not just the line
    [listed] = (await after.get("/ui/api/conversations"))["conversations"]
    assert (listed["thread"], listed["title"]) == ("t-r", "How do I reset my password?")
    # Buttons pressed before the restart stay pressed: a second press is not counted twice.
    assert (await after.act("csat", thread="t-r", message=restored[-1]["id"], value="1"))["duplicate"] is True
    assert (await after.act("helpful", thread="t-r", message=restored[1]["id"]))["duplicate"] is True
    # The conversation goes on where it was: a new message lands after the restored ones.
    await after.say("Thanks! One more: how do I reset my password on mobile?", thread="t-r", name="Dana", org="Globex")
    latest = shown(await after.latest("t-r"))
    assert [m[0] for m in latest[-2:]] == ["customer", "bot"] and latest[:-2] == seen


async def test_a_rejected_draft_and_a_human_button_survive_a_restart(restart: Any) -> None:
    before = await restart(make_config(default_mode="pre-approval"))
    await before.say("How do I reset my password?", thread="t-d")
    [draft] = await before.tickets()
    await before.act("reject", ticket=draft["id"], agent="Alex (agent)")
    await before.post("/ui/api/mode", {"mode": "ai-first"})
    await before.say("How do I reset my password?", thread="t-h")
    answer = by_role(await before.latest("t-h"), "bot")[0]
    await before.act("human", thread="t-h", message=answer["id"], reason="urgent")
    seen = {thread: shown(await before.latest(thread)) for thread in ("t-d", "t-h")}
    assert seen["t-d"][-1][3] == "Drafted for an agent: The AI drafted an answer that needs an agent's approval · confidence 0.92"
    assert "human" in seen["t-h"][1][4]

    after = await restart()
    assert {thread: shown(await after.latest(thread)) for thread in ("t-d", "t-h")} == seen


async def test_the_page_can_tell_a_restarted_server(restart: Any) -> None:
    before = await restart()
    await before.say("How do I reset my password?", thread="t-e")
    after = await restart()
    first = await before.get("/ui/api/conversations/t-e/messages")
    second = await after.get("/ui/api/conversations/t-e/messages")
    # Sequence numbers start again in a new process; the epoch tells the page to reload instead of waiting.
    assert first["epoch"] != second["epoch"]
    assert [m["text"] for m in second["messages"]] == [m["text"] for m in first["messages"]]


async def test_a_store_that_cannot_be_read_does_not_stop_the_server(
    make_playground: MakePlayground, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.store.memory import MemoryStore

    class Broken(MemoryStore):
        async def decisions(self, since: Any = None, until: Any = None) -> Any:
            raise RuntimeError("disk on fire")

    config = make_config()
    pg = await make_playground(config, Broken(channel_defaults(config, Settings())))
    assert "could not restore conversations" in caplog.text
    sent = await pg.say("How do I reset my password?", thread="t-after")  # the server still serves
    assert sent["decision"]["decision"] == "answer"


async def test_a_restored_answer_cites_its_top_article_again(restart: Any) -> None:
    from adapters.web import AGENT_NAME_KEY
    from adapters.web.outbox import WebOutbox
    from adapters.web.restore import restore_playground
    from bot.core.types import Citation

    before = await restart()
    await before.say("How do I reset my password?", thread="t-s")
    live = by_role(await before.latest("t-s"), "bot")[0]
    assert '<a href="https://kb.example.com/reset"' in live["html"]
    outbox = WebOutbox()
    sources = {"reset-password": Citation("reset-password", "Reset your password", "https://kb.example.com/reset")}
    prefix = "web:playground:playground:"
    restored = await restore_playground(
        before.app.store, outbox, before.app.phrases, prefix, names_key=AGENT_NAME_KEY, sources=sources
    )
    assert restored == 1
    [_, answer] = sorted((m.to_json() for m in outbox.messages(_address("t-s"))), key=lambda m: m["at"])
    assert '<a href="https://kb.example.com/reset"' in answer["html"] and ">Reset your password</a>" in answer["html"]
    # Without the knowledge base (or for an article since removed) the answer is restored without a source.
    bare = WebOutbox()
    await restore_playground(before.app.store, bare, before.app.phrases, prefix, names_key=AGENT_NAME_KEY)
    assert all("kb.example.com" not in m.to_json().get("html", "") for m in bare.messages(_address("t-s")))


def _address(thread: str) -> Any:
    from adapters.web.base import playground_address

    return playground_address(thread)
