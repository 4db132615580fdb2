"""Harness: the real server (`adapters.server.build_web_app`) with the playground mounted, driven over its JSON API.

The app is the real bootstrap (real policy chain, real dispatcher and desk) on a memory or SQLite store, with a tiny
keyword answerer in place of the knowledge base so the tests say exactly which article answers what.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from bot.bootstrap import App, bootstrap, channel_defaults
from bot.core.ports import Store
from bot.core.types import Answer, ArticleHit, Citation, Question
from bot.settings import Config, Settings
from bot.store.memory import MemoryStore
from policies.config import RoutingConfig


class TinyAnswerer:
    """Knows one article (passwords); anything else is outside the knowledge base."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def answer(self, question: Question) -> Answer:
        self.asked.append(question.text)
        if "password" in question.text.lower():
            hit = ArticleHit("reset-password", "Reset your password", 0.92, "https://kb.example.com/reset", "support")
            return Answer(
                "Open *Settings*, then _Security_, and choose `Reset password`.",
                0.92,
                (hit,),
                (Citation(hit.article_id, hit.title, hit.url, "Open Settings, then Security."),),
                team="support",
            )
        return Answer("", 0.05, (), (), relevant=False)


class Playground:
    """A thin client for the playground API, as the page uses it."""

    def __init__(self, client: TestClient[Any, Any], app: App, answerer: TinyAnswerer) -> None:
        self.client = client
        self.app = app
        self.answerer = answerer

    async def post(self, path: str, body: Any, status: int = 200) -> dict[str, Any]:
        response = await self.client.post(path, json=body)
        data = await response.json()
        assert response.status == status, data
        return data  # type: ignore[no-any-return]

    async def get(self, path: str, status: int = 200) -> dict[str, Any]:
        response = await self.client.get(path)
        data = await response.json()
        assert response.status == status, data
        return data  # type: ignore[no-any-return]

    async def say(self, text: str, thread: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {"text": text, **extra}
        if thread:
            body["thread"] = thread
        return await self.post("/ui/api/messages", body)

    async def messages(self, thread: str, after: int = 0) -> list[dict[str, Any]]:
        return (await self.get(f"/ui/api/conversations/{thread}/messages?after={after}"))["messages"]  # type: ignore[no-any-return]

    async def latest(self, thread: str) -> list[dict[str, Any]]:
        """Each message once, in its latest revision, in first-seen order (what the page shows)."""
        seen: dict[str, dict[str, Any]] = {}
        for message in sorted(await self.messages(thread), key=lambda m: m["seq"]):
            seen[message["id"]] = message
        return sorted(seen.values(), key=lambda m: int(m["id"][1:]) if m["id"][1:].isdigit() else 0)

    async def act(self, kind: str, status: int = 200, **body: Any) -> dict[str, Any]:
        return await self.post("/ui/api/actions", {"kind": kind, **body}, status)

    async def tickets(self) -> list[dict[str, Any]]:
        return (await self.get("/ui/api/tickets"))["tickets"]  # type: ignore[no-any-return]


def make_config(**routing: Any) -> Config:
    # AI-first unless a test asks otherwise; the 30-day pre-approval period has its own test.
    return Config(routing=RoutingConfig(**{"approval_days": 0, **routing}))


MakePlayground = Callable[..., Awaitable[Playground]]


@pytest.fixture
async def make_playground(tmp_path: Path) -> AsyncIterator[MakePlayground]:
    clients: list[TestClient[Any, Any]] = []

    async def make(config: Config | None = None, store: Store | None = None) -> Playground:
        config = config or make_config()
        settings = Settings(data_dir=tmp_path / "var", kb_dir=tmp_path / "kb")
        answerer = TinyAnswerer()
        app = await bootstrap(
            settings,
            config=config,
            store=store or MemoryStore(channel_defaults(config, settings)),
            answerer=answerer,
            kb_languages=frozenset({"en"}),
        )
        client = TestClient(TestServer(build_web_app(app)))
        await client.start_server()
        clients.append(client)
        return Playground(client, app, answerer)

    yield make
    for client in clients:
        await client.close()
    await asyncio.sleep(0)


@pytest.fixture
async def playground(make_playground: MakePlayground) -> Playground:
    return await make_playground()
