"""Grading the QA sample in Slack through signed requests: `/frontdesk qa now` posts one message per answer with
good / needs work / wrong buttons; a reviewer's press records the grade and opens a note box; the note is recorded
with it; the digest and the dashboard data report the grades."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.metrics.compute import load_records
from bot.metrics.grades import summary, worst_articles
from bot.settings import Config
from scheduler.config import DigestConfig, QaConfig
from scheduler.context import JobContext
from scheduler.jobs import on_demand
from tests.adapters.slack.conftest import AGENT, Slack, block_actions, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import FakeSlack

QA, DE_REVIEWER, LEADS = "C_QA", "U_DE_REVIEWER", "C_LEADS"
OUR_TEAM = "T_OURS"


def qa_config() -> Config:
    return make_config().model_copy(update={
        "qa": QaConfig(channel=QA, sample=5, languages={"de": DE_REVIEWER}),
        "digest": DigestConfig(everyone=LEADS),
    })


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), qa_config())
    harness.app.jobs.update(on_demand(JobContext.of(harness.app)))
    yield harness
    await client.close()


def press(slack: Slack, message: dict[str, Any], label: str, user: str) -> dict[str, Any]:
    """A reviewer's press on one of the grade buttons (they share a kind, so pick by label), as Slack sends it:
    with the message's blocks, so the message can show who graded it."""
    payload = block_actions(message, "qa_grade", user=user, team=OUR_TEAM, trigger="7", fake_url=slack.fake.url)
    button = next(e for b in message["blocks"] if b.get("type") == "actions" for e in b["elements"]
                  if e["text"]["text"] == label)
    payload["actions"][0].update(action_id=button["action_id"], value=button["value"])
    payload["message"]["blocks"] = copy.deepcopy(message["blocks"])
    return payload


async def test_reviewers_grade_each_answer_and_the_grades_are_reported(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    ack = await slack.command("qa now")
    assert "Drawing the QA sample" in ack["text"]
    posts = slack.fake.posts(QA)
    assert len(posts) == 2 and "QA sample of AI answers" in posts[0]["text"]  # a header, then one per answer
    item = next(p for p in posts[1:] if "reset my password" in p["text"])
    labels = [e["text"]["text"] for b in item["blocks"] if b.get("type") == "actions" for e in b["elements"]]
    assert labels == ["Good", "Needs work", "Wrong"]

    response = await slack.interact(press(slack, item, "Needs work", AGENT))
    assert response.status == 200
    view = slack.fake.called("views.open")[-1]["view"]
    assert view["title"]["text"] == "QA grade recorded" and "Needs work" in view["blocks"][0]["text"]["text"]
    marked = slack.fake.called("chat.update")[-1]
    assert marked["blocks"][-1]["elements"][0]["text"] == (
        f"Graded *Needs work* by <@{AGENT}>. Press another grade to change it."
    )
    submitted = await slack.submit(view, {"fd_qa_note_block": {"fd_qa_note_input": {
        "type": "plain_text_input", "value": "Says Settings > Security; it moved to Profile."}}}, user=AGENT,
        team=OUR_TEAM)
    assert submitted.status == 200
    await slack.settle()

    grades = [f for f in await slack.app.store.feedback() if f.kind == "qa_grade"]
    assert [(g.reason, g.actor_id, g.edited_text) for g in grades] == [
        ("needs_work", AGENT, ""), ("needs_work", AGENT, "Says Settings > Security; it moved to Profile.")]
    assert grades[0].decision_id is not None and grades[0].article_ids
    now = datetime.now(UTC)
    week = (now - timedelta(days=7), now + timedelta(minutes=1))
    assert summary(grades, *week).counts == {"needs_work": 1}  # the latest grade of the answer counts, once
    worst = worst_articles(grades, *week)
    assert [(a.article_id, a.needs_work, a.notes[-1][:10]) for a in worst] == [(grades[0].article_ids[0], 1, "Says Setti")]

    await slack.interact(press(slack, item, "Good", AGENT))  # changed their mind
    records = await load_records(slack.app.store, now - timedelta(days=14))
    assert summary(records.feedback, *week).counts == {"good": 1}

    await slack.command("digest now")
    digest = slack.fake.posts(LEADS)[-1]["text"]
    assert "*QA grades:* 1 answer graded — 1 good, 0 need work, 0 wrong; good 100%" in digest


async def test_customers_cannot_grade_and_a_forged_value_is_refused(slack: Slack) -> None:
    await slack.say("How do I reset my password?")
    await slack.command("qa now")
    item = slack.fake.posts(QA)[1]
    payload = press(slack, item, "Wrong", "U_CUST")
    payload["user"]["team_id"] = payload["team"]["id"] = "T_CUSTOMER"
    await slack.interact(payload)
    forged = press(slack, item, "Wrong", AGENT)
    forged["actions"][0]["value"] = "excellent|1|x|slack:T:C:1"
    await slack.interact(forged)
    assert [f for f in await slack.app.store.feedback() if f.kind == "qa_grade"] == []
    told = [c["text"] for c in slack.fake.called("chat.postEphemeral")]
    assert "Only agents (members of an agents channel) can do that." in told
    assert any("not one Frontdesk recognises" in t for t in told)


async def test_language_samples_go_to_their_reviewer_and_the_reports_have_now_commands(slack: Slack) -> None:
    await slack.say("Ich habe mein password vergessen, wie kann ich es zurücksetzen?")
    await slack.say("How do I reset my password?", ts="1700000200.000100")
    await slack.command("qa now")
    german = slack.fake.posts(DE_REVIEWER)
    assert "QA sample of AI answers in de" in german[0]["text"] and len(german) == 2
    assert "vergessen" in german[1]["text"]
    ack = await slack.command("deepdive now")
    assert "deep-dive" in ack["text"]
    deep = slack.fake.posts(LEADS)[-1]["text"]
    assert deep.startswith("*Frontdesk monthly deep-dive — ") and "Metric: " in deep
    await slack.command("audit now")
    audit = slack.fake.posts(LEADS)[-1]["text"]
    assert audit.startswith("*Frontdesk annual audit — ") and "*The year month by month*" in audit
    changes = [c.what for c in await slack.app.store.admin_changes()]  # type: ignore[attr-defined]
    assert changes == ["qa now", "deepdive now", "audit now"]
    help_text = (await slack.command("help"))["text"]
    assert "`deepdive now`" in help_text and "`audit now`" in help_text and "`qa now`" in help_text
