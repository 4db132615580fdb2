"""How long the playground takes to rebuild its log from the store when the server starts (`adapters/web/restore.py`).

Fills a SQLite database with playground conversations through the real dispatcher (each: a question answered, a
second message, a handoff claimed, replied to and resolved), then times `restore_playground` into an empty log, as a
restarted server does before it serves its first request.

    .venv/bin/python -m bench.playground_restore [--conversations 200]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.web.base import AGENT_NAME_KEY, playground_address
from adapters.web.outbox import WebOutbox
from adapters.web.restore import restore_playground
from bot.bootstrap import bootstrap, channel_defaults
from bot.core.conversation import conversation_key
from bot.core.types import Actor, Answer, ArticleHit, Citation, Inbound, Platform, Question, Role
from bot.settings import Config, Settings
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from policies.config import RoutingConfig


class OneArticle:
    """Answers password questions from one article; anything else is outside the knowledge base."""

    async def answer(self, question: Question) -> Answer:
        if "password" not in question.text.lower():
            return Answer("", 0.05, (), (), relevant=False)
        hit = ArticleHit("reset-password", "Reset your password", 0.92, "https://kb.example.com/reset", "support")
        citation = Citation(hit.article_id, hit.title, hit.url, "Open Settings, then Security.")
        return Answer("Open Settings, then Security, and choose Reset password.", 0.92, (hit,), (citation,))


async def run(conversations: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'frontdesk.db'}"
        await upgrade(url)
        config = Config(routing=RoutingConfig(approval_days=0))
        settings = Settings(data_dir=Path(tmp))
        store = SqlStore(url, channel_defaults(config, settings))
        app = await bootstrap(
            settings, config=config, store=store, answerer=OneArticle(), kb_languages=frozenset({"en"})
        )
        app.outboxes[Platform.WEB] = WebOutbox()
        agent = Actor("alex", "Alex", "", Role.AGENT)
        started = time.perf_counter()
        for n in range(conversations):
            address = playground_address(f"t{n}")
            customer = Actor(f"web-c{n}", f"Customer {n}", "acme", Role.CUSTOMER, is_external=True)
            for i, text in enumerate(("How do I reset my password?", "I want to talk to a human")):
                await app.dispatcher.submit(Inbound(f"m{n}-{i}", address, customer, text, datetime.now(UTC)))
            ticket = next(t for t in await store.tickets() if t.conversation_key == conversation_key(address))
            await app.desk.claim(ticket.id, agent)
            await app.desk.reply(ticket.id, agent, "Here is a reset link.")
            await app.desk.resolve(ticket.id, agent)
        filled = time.perf_counter() - started
        await store.put_setting(AGENT_NAME_KEY + agent.id, agent.name)
        prefix = conversation_key(playground_address("-"))[:-1]
        outbox = WebOutbox(max_conversations=max(conversations, 1))
        started = time.perf_counter()
        restored = await restore_playground(store, outbox, app.phrases, prefix, names_key=AGENT_NAME_KEY)
        took = time.perf_counter() - started
        messages = sum(count for *_, count in outbox.threads())
        await app.close()
    print(f"filled {conversations} conversations in {filled:.1f} s (through the dispatcher and desk)")
    print(f"restored {restored} conversations, {messages} messages in {took:.2f} s "
          f"({took / max(restored, 1) * 1000:.1f} ms per conversation)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.conversations))


if __name__ == "__main__":
    main()
