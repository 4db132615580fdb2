"""The playground's JSON API on the real server: customer pane, agent pane, drafts, idempotency and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import channel_defaults
from bot.core.types import HandoffStatus
from bot.settings import Settings
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.adapters.web.conftest import MakePlayground, Playground, make_config


def by_role(messages: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    return [m for m in messages if m["role"] == role]


async def ask_and_hand_off(pg: Playground, thread: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Customer asks a known question, then presses "Talk to a human" under the answer; returns (answer, ticket)."""
    await pg.say("How do I reset my password?", thread=thread)
    answer = by_role(await pg.latest(thread), "bot")[0]
    await pg.act("human", thread=thread, message=answer["id"], reason="urgent")
    [ticket] = [t for t in await pg.tickets() if t["thread"] == thread]
    return answer, ticket


@pytest.fixture(params=["memory", "sqlite"])
async def any_store_playground(
    request: pytest.FixtureRequest, make_playground: MakePlayground, tmp_path: Path
) -> Playground:
    if request.param == "memory":
        return await make_playground()
    url = f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
    await upgrade(url)
    config = make_config()
    store = SqlStore(url, channel_defaults(config, Settings(data_dir=tmp_path)))
    return await make_playground(config, store)


async def test_customer_asks_and_sees_the_answer_with_its_source_and_why(any_store_playground: Playground) -> None:
    pg = any_store_playground
    sent = await pg.say("How do I reset my password?", thread="t-ask", name="Dana", org="Globex")
    assert sent["duplicate"] is False
    assert sent["decision"]["decision"] == "answer"
    customer, answer = await pg.latest("t-ask")
    assert (customer["role"], customer["author"], customer["text"]) == (
        "customer",
        "Dana",
        "How do I reset my password?",
    )
    assert "html" not in customer  # the customer's own text is shown as text, never as HTML
    assert answer["role"] == "bot"
    assert answer["why"]["label"] == "Answered from the knowledge base · confidence 0.92"
    assert any(step["step"] == "knowledge" for step in answer["why"]["trace"])
    html = answer["html"]
    assert '<a href="https://kb.example.com/reset"' in html and ">Reset your password</a>" in html
    assert "<strong>Settings</strong>" in html
    for kind in ("helpful", "not_helpful", "human"):
        assert f'data-kind="{kind}"' in html

    await pg.act("helpful", thread="t-ask", message=answer["id"])
    again = await pg.act("helpful", thread="t-ask", message=answer["id"])
    assert again["duplicate"] is True
    updated = {m["id"]: m for m in await pg.latest("t-ask")}[answer["id"]]
    assert "you marked this helpful" in updated["html"] and updated["seq"] > answer["seq"]
    helpful = [f for f in await pg.app.store.feedback() if f.kind == "helpful"]
    assert [(f.helpful, f.article_ids) for f in helpful] == [(True, ("reset-password",))]


async def test_talk_to_a_human_opens_a_handoff_with_summary_and_reason(any_store_playground: Playground) -> None:
    pg = any_store_playground
    answer, ticket = await ask_and_hand_off(pg, "t-human")
    assert ticket["status"] == "open" and ticket["reason"] == "asked_for_human"
    assert ticket["customer_reason"] == "urgent"
    assert "Asked: How do I reset my password?" in ticket["summary"]
    assert ticket["customer"] == {"name": "Sam Rivera", "org": "Acme"}
    assert ticket["actions"] == ["claim", "reply"]
    assert ticket["title"] == "How do I reset my password?" and ticket["status_text"] == "Waiting for an agent"
    notice = by_role(await pg.latest("t-human"), "bot")[-1]
    assert notice["why"]["label"] == "Handed to a person: The customer asked for a person"
    pressed = {m["id"]: m for m in await pg.latest("t-human")}[answer["id"]]
    assert 'data-kind="human" data-value="human" disabled' in pressed["html"]
    reasons = [f.reason for f in await pg.app.store.feedback() if f.kind == "escalation_reason"]
    assert reasons == ["urgent"]
    # Pressing the same button again does not open a second handoff.
    assert (await pg.act("human", thread="t-human", message=answer["id"]))["duplicate"] is True
    assert len([t for t in await pg.tickets() if t["thread"] == "t-human"]) == 1


async def test_claim_silences_the_ai_then_reply_resolve_csat_and_rewrite(any_store_playground: Playground) -> None:
    pg = any_store_playground
    _, ticket = await ask_and_hand_off(pg, "t-claim")
    claimed = await pg.act("claim", ticket=ticket["id"], agent="Alex")
    assert claimed["ticket"]["status"] == "claimed" and claimed["ticket"]["actions"] == [
        "reply",
        "resolve",
        "hand_back",
    ]

    asked_before = len(pg.answerer.asked)
    followup = await pg.say("Also, what about my password expiry?", thread="t-claim")
    assert followup["decision"]["decision"] == "ignore" and followup["decision"]["reason"] == "claimed_by_human"
    assert len(pg.answerer.asked) == asked_before  # the AI did not even look
    silent = [m for m in await pg.latest("t-claim") if m["id"] == followup["message_id"]][0]
    assert silent["why"]["label"] == "AI stayed silent: A person is handling this conversation, so the AI stays quiet"
    # ... but what the customer adds reaches the card (the claiming agent is told: see the Slack flow test).
    card = [t for t in await pg.tickets() if t["id"] == ticket["id"]][0]
    assert {"label": "New from the customer since the handoff", "text": "“Also, what about my password expiry?”"}.items() <= card["sections"][0].items()

    await pg.act("reply", ticket=ticket["id"], agent="Alex", text="Hi, I reset it for you: check your <inbox>.")
    agent_says = by_role(await pg.latest("t-claim"), "agent")
    assert [m["author"] for m in agent_says] == ["Alex"]
    assert "&lt;inbox&gt;" in agent_says[0]["html"]

    resolved = await pg.act("resolve", ticket=ticket["id"], agent="Alex")
    assert resolved["ticket"]["status"] == "resolved"
    assert resolved["ticket"]["question"] == "Did you need to rewrite the AI's answer?"
    assert resolved["ticket"]["actions"] == ["rewrite"]
    csat = by_role(await pg.latest("t-claim"), "bot")[-1]
    assert csat["html"].count('data-kind="csat"') == 5

    await pg.act("csat", thread="t-claim", message=csat["id"], value="4")
    assert (await pg.act("csat", thread="t-claim", message=csat["id"], value="5"))["duplicate"] is True
    rated = {m["id"]: m for m in await pg.latest("t-claim")}[csat["id"]]
    assert "you rated this 4 out of 5" in rated["html"]
    await pg.act("rewrite", ticket=ticket["id"], agent="Alex", value="no")
    after = [t for t in await pg.tickets() if t["id"] == ticket["id"]][0]
    assert after["question"] is None and after["actions"] == []

    feedback = await pg.app.store.feedback()
    assert [f.score for f in feedback if f.kind == "csat"] == [4]
    assert [f.rewrote for f in feedback if f.kind == "rewrite"] == [False]
    stored = await pg.app.store.get_ticket(ticket["id"])
    assert stored is not None and stored.status is HandoffStatus.RESOLVED and stored.agent == "alex"


async def test_human_at_any_point_and_not_helpful(playground: Playground) -> None:
    # The composer's button: no AI message to hang it on, not even a thread yet.
    body = {"thread": "t-any", "message_id": "h-1", "reason": "billing"}
    first = await playground.act("human", **body)
    assert first["decision"]["label"] == "Handed to a person: The customer asked for a person"
    assert (await playground.act("human", **body))["duplicate"] is True  # the same press delivered twice
    [ticket] = await playground.tickets()
    assert ticket["thread"] == "t-any" and ticket["customer_reason"] == "billing"

    await playground.say("How do I reset my password?", thread="t-nh")
    answer = by_role(await playground.latest("t-nh"), "bot")[0]
    pressed = await playground.act("not_helpful", thread="t-nh", message=answer["id"])
    assert pressed["decision"] is not None and pressed["decision"]["decision"] in ("answer", "escalate")
    followup = by_role(await playground.latest("t-nh"), "bot")[-1]
    assert followup["id"] != answer["id"] and followup["why"]["label"] == pressed["decision"]["label"]
    assert [f.helpful for f in await playground.app.store.feedback() if f.kind == "helpful"] == [False]


async def test_hand_back_returns_the_thread_to_the_ai(playground: Playground) -> None:
    _, ticket = await ask_and_hand_off(playground, "t-back")
    await playground.act("claim", ticket=ticket["id"])
    await playground.act("hand_back", ticket=ticket["id"])
    reply = await playground.say("How do I change my password?", thread="t-back")
    assert reply["decision"]["decision"] == "answer"


async def test_pre_approval_drafts_approve_edit_reject(make_playground: MakePlayground) -> None:
    pg = await make_playground(make_config(approval_days=30))
    # The playground starts in the configured mode (not the new-channel approval period); the selector changes it.
    assert (await pg.get("/ui/api/mode"))["mode"] == "ai-first"
    assert (await pg.post("/ui/api/mode", {"mode": "pre-approval", "agent": "Alex"}))["mode"] == "pre-approval"
    changes = [c.what for c in await pg.app.store.admin_changes()]  # type: ignore[attr-defined]
    assert changes == ["playground channel mode = ai-first", "playground channel mode = pre-approval"]
    for thread in ("d-approve", "d-edit", "d-reject"):
        sent = await pg.say("How do I reset my password?", thread=thread)
        assert sent["decision"]["decision"] == "draft"
        assert not any("Reset password" in m["text"] for m in by_role(await pg.latest(thread), "bot"))
    drafts = {t["thread"]: t for t in await pg.tickets()}
    assert {t["kind"] for t in drafts.values()} == {"draft"}
    assert drafts["d-approve"]["actions"] == ["approve", "edit", "reject"]
    assert "<code>Reset password</code>" in drafts["d-approve"]["suggestion"]["html"]

    await pg.act("approve", ticket=drafts["d-approve"]["id"], agent="Alex")
    approved = by_role(await pg.latest("d-approve"), "bot")[-1]
    assert "<code>Reset password</code>" in approved["html"] and "kb.example.com/reset" in approved["html"]

    await pg.act("edit", ticket=drafts["d-edit"]["id"], agent="Alex", text="Use *Settings → Security*.")
    edited = (await pg.latest("d-edit"))[-1]
    assert (edited["role"], edited["author"]) == ("agent", "Alex")
    assert "<strong>Settings → Security</strong>" in edited["html"]

    rejected = await pg.act("reject", ticket=drafts["d-reject"]["id"], agent="Alex")
    assert rejected["ticket"]["kind"] == "handoff" and rejected["ticket"]["reason"] == "rejected_draft"
    assert "claim" in rejected["ticket"]["actions"]
    assert rejected["ticket"]["suggestion"] is None and "approve" not in rejected["ticket"]["actions"]
    shown = await pg.latest("d-reject")
    assert not any("Reset password" in m["text"] for m in shown)
    # A second click (another tab, a stale page) on the rejected draft: a clear 409, nothing sent.
    late = await pg.act("approve", status=409, ticket=drafts["d-reject"]["id"])
    assert late["error"] == "the AI draft for this handoff was rejected; reply to the customer yourself"
    assert await pg.latest("d-reject") == shown

    rewrites = [f for f in await pg.app.store.feedback() if f.kind == "rewrite"]
    assert sorted((f.rewrote, f.edited_text) for f in rewrites) == [
        (False, ""),
        (True, ""),
        (True, "Use *Settings → Security*."),
    ]
    # A handled draft cannot be approved twice.
    error = await pg.act("approve", status=409, ticket=drafts["d-approve"]["id"])
    assert "already" in error["error"]


async def test_vip_org_from_config_goes_straight_to_a_person(make_playground: MakePlayground) -> None:
    pg = await make_playground(make_config(vip_orgs=["globex"]))
    sent = await pg.say("How do I reset my password?", thread="t-vip", name="Kim", org="Globex")
    assert (sent["decision"]["decision"], sent["decision"]["reason"]) == ("escalate", "vip")
    [ticket] = await pg.tickets()
    assert ticket["vip"] is True and ticket["priority"] == "high"
    assert pg.answerer.asked == []
    other = await pg.say("How do I reset my password?", thread="t-plain", name="Kim", org="Initech")
    assert other["decision"]["decision"] == "answer"


async def test_the_same_message_id_twice_gets_one_reply(playground: Playground) -> None:
    body = {"thread": "t-dup", "message_id": "m-1", "text": "How do I reset my password?"}
    first = await playground.post("/ui/api/messages", body)
    second = await playground.post("/ui/api/messages", body)
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    messages = await playground.latest("t-dup")
    assert [m["role"] for m in messages] == ["customer", "bot"]
    assert len(playground.answerer.asked) == 1


async def test_new_conversations_and_listing(playground: Playground) -> None:
    first = await playground.say("How do I reset my password?")
    second = await playground.say("Where is the password page?")
    assert first["thread"] != second["thread"]
    listed = (await playground.get("/ui/api/conversations"))["conversations"]
    assert [c["title"] for c in listed] == ["Where is the password page?", "How do I reset my password?"]
    page = await playground.messages(first["thread"])
    last = max(m["seq"] for m in page)
    assert await playground.messages(first["thread"], after=last) == []


BAD_INPUT: list[tuple[str, Any, int, str]] = [
    ("/ui/api/messages", {}, 400, "'text' is required"),
    ("/ui/api/messages", {"text": "   "}, 400, "'text' must not be blank"),
    ("/ui/api/messages", {"text": "x" * 4001}, 400, "limit is 4000"),
    ("/ui/api/messages", {"text": "hi", "thread": "../etc"}, 400, "'thread'"),
    ("/ui/api/messages", {"text": 5}, 400, "'text' must be a string"),
    ("/ui/api/messages", ["not", "an", "object"], 400, "JSON object"),
    ("/ui/api/actions", {"kind": "explode"}, 400, "unknown action kind 'explode'"),
    ("/ui/api/mode", {"mode": "turbo"}, 400, "'mode' must be one of ai-first, pre-approval"),
    ("/ui/api/actions", {"kind": "claim"}, 400, "'ticket' is required"),
    ("/ui/api/actions", {"kind": "claim", "ticket": "nope"}, 404, "no handoff with id 'nope'"),
    ("/ui/api/actions", {"kind": "helpful", "thread": "t-x", "message": "w999"}, 404, "no message 'w999'"),
    ("/ui/api/actions", {"kind": "human", "thread": "t-x", "reason": "bored"}, 400, "'reason' must be one of"),
    ("/ui/api/actions", {"kind": "rewrite", "ticket": "x", "value": "maybe"}, 400, '"yes" or "no"'),
]


async def test_bad_input_is_a_clear_json_error(playground: Playground) -> None:
    # One server for the whole table: each row must fail on its own without changing anything.
    for path, body, status, says in BAD_INPUT:
        error = await playground.post(path, body, status)
        assert says in error["error"], (path, body, error)
    assert await playground.tickets() == []
    assert (await playground.get("/ui/api/conversations"))["conversations"] == []


async def test_invalid_json_and_bad_query(playground: Playground) -> None:
    response = await playground.client.post(
        "/ui/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400 and (await response.json())["error"] == "the request body must be JSON"
    error = await playground.get("/ui/api/conversations/t1/messages?after=abc", status=400)
    assert "'after'" in error["error"]


async def test_conflicts_are_409_and_leave_the_ticket_alone(playground: Playground) -> None:
    _, ticket = await ask_and_hand_off(playground, "t-conflict")
    await playground.act("claim", ticket=ticket["id"], agent="Alex")
    error = await playground.act("claim", status=409, ticket=ticket["id"], agent="Blair")
    assert "already claimed" in error["error"]
    assert (await playground.act("reply", status=400, ticket=ticket["id"], text=""))["error"] == "'text' is required"
    csat = await playground.act(
        "csat",
        status=400,
        thread="t-conflict",
        message=by_role(await playground.latest("t-conflict"), "bot")[0]["id"],
        value="3",
    )
    assert "asked for a rating" in csat["error"]
    [after] = [t for t in await playground.tickets() if t["id"] == ticket["id"]]
    assert after["status"] == "claimed" and after["agent"] == "alex"


async def test_page_and_assets_are_served_without_external_references(playground: Playground) -> None:
    response = await playground.client.get("/ui")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'src="/ui/static/playground.js"' in page and 'href="/ui/static/playground.css"' in page
    for name, kind in (("playground.js", "application/javascript"), ("playground.css", "text/css")):
        asset = await playground.client.get(f"/ui/static/{name}")
        body = await asset.text()
        assert asset.status == 200 and asset.content_type == kind
        assert "http://" not in body and "https://" not in body  # no CDN, no external fonts
    assert "http://" not in page and "https://" not in page
    assert (await playground.client.get("/ui/static/secrets.txt")).status == 404
    meta = await playground.get("/ui/api/meta")
    assert meta["agent"]["name"] == "Alex" and {r["value"] for r in meta["reasons"]} >= {
        "wrong_answer",
        "other",
    }
