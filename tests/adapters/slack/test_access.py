"""Adversarial access tests: who may use the playground, who is an agent, who is a customer."""

from __future__ import annotations

from typing import Any

from bot.core.types import Address, Handoff, HandoffStatus, Platform, Ticket
from bot.settings import ServerConfig
from tests.adapters.slack.conftest import (
    AGENTS,
    SHARED,
    Slack,
    make_config,
    make_settings,
    start_slack,
)
from tests.adapters.slack.fake_slack import OUR_TEAM, FakeSlack


def with_playground() -> Any:
    config = make_config()
    return config.model_copy(update={"server": ServerConfig(playground=True, dashboard=False)})


async def test_playground_is_off_when_slack_credentials_are_set(fake: FakeSlack, tmp_path: Any) -> None:
    slack, client = await start_slack(fake, make_settings(fake, tmp_path), with_playground())
    try:
        assert (await slack.http.get("/ui")).status == 404
        action = await slack.http.post("/ui/api/actions", json={"kind": "claim", "ticket": "t1", "agent": "Mallory"})
        assert action.status == 404
        assert (await slack.http.get("/ui/api/conversations")).status == 404
    finally:
        await client.close()


async def test_playground_with_a_token_requires_it_and_never_acts_on_a_slack_ticket(fake: FakeSlack, tmp_path: Any) -> None:
    settings = make_settings(fake, tmp_path, playground_token="s3cret-playground")
    slack, client = await start_slack(fake, settings, with_playground())
    try:
        assert (await slack.http.get("/ui")).status == 401
        assert (await slack.http.get("/ui", headers={"Authorization": "Bearer wrong"})).status == 401
        auth = {"Authorization": "Bearer s3cret-playground"}
        assert (await slack.http.get("/ui", headers=auth)).status == 200
        address = Address(Platform.SLACK, OUR_TEAM, SHARED, "1700000000.000001")
        ticket = await slack.app.store.open_ticket(
            Ticket("", f"slack:{OUR_TEAM}:{SHARED}:1700000000.000001", address, Handoff(summary="s", reason="r", team="support"))
        )
        for kind in ("claim", "reply", "resolve"):
            body = {"kind": kind, "ticket": ticket.id, "agent": "Mallory", "text": "hello from the playground"}
            response = await slack.http.post("/ui/api/actions", json=body, headers=auth)
            assert response.status == 404, await response.text()
        stored = await slack.app.store.get_ticket(ticket.id)
        assert stored is not None and stored.status is HandoffStatus.OPEN and stored.agent is None
        assert fake.posts(SHARED) == []  # nothing reached the Slack customer
    finally:
        await client.close()


async def test_a_workspace_member_outside_the_agents_channels_cannot_claim(slack: Slack) -> None:
    slack.fake.members[AGENTS] = ["U_AGENT"]
    await slack.say("I want to talk to a human")
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user="U_SALES", team=OUR_TEAM)
    [ticket] = await slack.app.store.tickets()
    assert ticket.status is HandoffStatus.OPEN
    assert "Only agents" in slack.fake.called("chat.postEphemeral")[-1]["text"]
    await slack.click(card, "claim", user="U_AGENT", team=OUR_TEAM)
    [ticket] = await slack.app.store.tickets()
    assert ticket.status is HandoffStatus.CLAIMED and ticket.agent == "U_AGENT"


async def test_a_guest_of_our_workspace_is_a_customer_not_an_agent(slack: Slack) -> None:
    slack.fake.users["U_GUEST"] = {"id": "U_GUEST", "is_restricted": True}
    slack.fake.members[AGENTS] = ["U_AGENT", "U_GUEST"]  # even inside the agents channel
    envelope = await slack.say("How do I reset my password?", user="U_GUEST", team=OUR_TEAM)
    replies = [p for p in slack.fake.posts(SHARED) if p.get("thread_ts") == envelope["event"]["ts"]]
    assert len(replies) == 1 and "Security" in replies[0]["text"]  # answered like a customer
    await slack.say("I want to talk to a human")
    card = slack.fake.posts(AGENTS)[0]
    await slack.click(card, "claim", user="U_GUEST", team=OUR_TEAM)
    assert all(t.status is HandoffStatus.OPEN for t in await slack.app.store.tickets())


async def test_a_colleague_who_is_not_an_agent_does_not_take_over_a_thread(slack: Slack) -> None:
    slack.fake.members[AGENTS] = ["U_AGENT"]
    envelope = await slack.say("I want to talk to a human")
    await slack.say("lol same", user="U_SALES", team=OUR_TEAM, thread_ts=envelope["event"]["ts"])
    [ticket] = await slack.app.store.tickets()
    assert ticket.status is HandoffStatus.OPEN and ticket.agent is None
