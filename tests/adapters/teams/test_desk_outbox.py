"""Agents' actions in Teams go through the outbox too: with the Bot Connector failing (an HTML 502 from its edge, an
empty 500, a 429), an agent's claim and reply are taken, and the customer gets each message exactly once when the
connector recovers; the card is updated."""

from __future__ import annotations

import asyncio

from bot.core.types import HandoffStatus
from bot.orchestration.delivery import Backoff
from tests.adapters.teams.conftest import AGENT, AGENTS, OUR_TENANT, SHARED, Teams

HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


async def drain(teams: Teams, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        stats = await teams.app.store.outbox_stats()
        if stats.pending == 0:
            assert stats.failed == 0
            return
        await teams.app.dispatcher.outbox.run_once()
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not drained: {await teams.app.store.outbox_stats()}")


async def test_a_claim_and_an_agents_reply_survive_the_connector_failing(teams: Teams) -> None:
    teams.app.dispatcher.outbox.backoff = Backoff(base=0.05, cap=0.2, attempts=10)
    await teams.say("How do I reset my password?")
    await teams.press(teams.fake.posts(SHARED)[0], "human")
    [card] = teams.fake.posts(AGENTS)
    before = len(teams.fake.posts(SHARED))
    for status, body, kind in ((502, HTML, "text/html"), (500, "", "application/json")):
        teams.fake.fail_next(status, body, kind)
    claimed = await teams.press(card, "claim", who=AGENT, tenant=OUR_TENANT)
    assert claimed["value"] == "You claimed it."  # the agent's press is taken while Teams fails
    teams.fake.fail_next(429, '{"error":{"code":"TooManyRequests"}}')
    await teams.press(card, "reply", who=AGENT, tenant=OUR_TENANT, reply="Sent you a reset link by email.")
    await drain(teams)
    said = [c.body.get("text", "") for c in teams.fake.posts(SHARED)[before:]]
    assert sum("Alex Agent" in text for text in said) == 1, said  # told once who is on it
    assert said.count("Sent you a reset link by email.") == 1, said  # the agent's reply, exactly once
    assert "Claimed by Alex Agent" in teams.fake.updates()[-1].text
    assert len(await teams.app.store.tickets(HandoffStatus.CLAIMED)) == 1
