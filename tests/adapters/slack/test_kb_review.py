"""The quarterly KB review through its real entry points with the fake Slack: `/frontdesk review now` (signed
request, admin only) and the scheduled run fired by APScheduler. Each team's lead gets its stale and uncited
articles; the team is the article's `team` (else the default team)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.core.types import Audience
from bot.settings import Config
from knowledge.documents import Article
from policies.config import TeamConfig
from scheduler.config import KbReviewConfig, SchedulerConfig
from scheduler.context import JobContext
from scheduler.jobs import on_demand
from scheduler.runner import SchedulerRunner
from tests.adapters.slack.conftest import AGENT, Slack, make_config, make_settings, start_slack
from tests.adapters.slack.fake_slack import FakeSlack

BILLING_LEADS, SUPPORT_LEAD = "C_BILLING_LEADS", "U_SUPPORT_LEAD"
TODAY = date.today()


class Articles:
    """The part of the knowledge base the review reads: its articles."""

    version = "v-test"

    def articles(self) -> tuple[Article, ...]:
        return (
            Article("reset-password", "Reset your password", "…", team="support", updated=date(2020, 1, 2),
                    source="account/reset.md"),
            Article("invoices", "Download invoices", "…", team="billing", updated=TODAY - timedelta(days=10)),
            Article("refund-policy", "Refund policy", "…", team="billing", updated=None, source="billing/refunds.md"),
            Article("sso", "Single sign-on", "…", team="security", updated=TODAY - timedelta(days=3)),
            Article("webhooks", "Webhooks", "…", updated=TODAY - timedelta(days=5), audience=Audience.CUSTOMER),
        )


def review_config(**review: Any) -> Config:
    config = make_config()
    teams = {**config.teams, "support": TeamConfig(lead=SUPPORT_LEAD)}
    return config.model_copy(
        update={"teams": teams, "kb_review": KbReviewConfig(recipients={"billing": BILLING_LEADS}, **review)}
    )


async def _start(fake: FakeSlack, tmp_path: Any, config: Config) -> tuple[Slack, Any]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), config)
    harness.app.knowledge = Articles()  # what bootstrap attaches when the real knowledge base runs
    harness.app.jobs.update(on_demand(JobContext.of(harness.app)))
    return harness, client


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    harness, client = await _start(fake, tmp_path, review_config())
    yield harness
    await client.close()


async def test_review_now_sends_each_team_its_stale_and_uncited_articles(slack: Slack) -> None:
    await slack.say("How do I reset my password?")  # cites reset-password
    await slack.say("Where can I download my invoice?")  # cites invoices

    refused = await slack.command("review now", user=AGENT)
    assert "only Frontdesk admins" in refused["text"] and slack.fake.posts(SUPPORT_LEAD) == []

    ack = await slack.command("review now")
    assert "Listing stale and uncited articles per team" in ack["text"]
    done = slack.fake.called("response")[-1]["text"]
    assert done.startswith(f"Sent the KB review to <#{BILLING_LEADS}> (billing), <@{SUPPORT_LEAD}> (support).")
    assert "(2 stale, 3 uncited of 5 articles.)" in done and "Nobody receives it for: security." in done

    support = slack.fake.posts(SUPPORT_LEAD)[-1]["text"]
    assert "*Frontdesk quarterly KB review — support* (review window: 180 days)" in support
    assert "Reset your password (`reset-password`): last updated 2020-01-02" in support
    assert "account/reset.md" in support
    assert "Webhooks (`webhooks`): not cited in 180 days" in support  # no team: the default team's
    assert "invoices" not in support and "refund-policy" not in support

    billing = slack.fake.posts(BILLING_LEADS)[-1]["text"]
    assert "Refund policy (`refund-policy`): no 'updated' date" in billing
    assert "*Not cited by any answer: merge, retitle or retire them* (1)" in billing
    assert "invoices" not in billing  # fresh and cited: nothing to review

    changes = await slack.app.store.admin_changes()  # type: ignore[attr-defined]
    assert [c.what for c in changes] == ["review now"]


async def test_without_recorded_answers_only_stale_articles_are_listed(slack: Slack) -> None:
    await slack.command("review now")
    support = slack.fake.posts(SUPPORT_LEAD)[-1]["text"]
    assert "reset-password" in support and "webhooks" not in support
    assert "No answers recorded in the window yet" in support
    done = slack.fake.called("response")[-1]["text"]
    assert "(2 stale, citations unknown of 5 articles.)" in done


async def test_everyone_gets_every_team_and_nobody_configured_is_an_error(fake: FakeSlack, tmp_path: Any) -> None:
    harness, client = await _start(fake, tmp_path, review_config(everyone="C_ALL_LEADS"))
    try:
        await harness.say("How do I reset my password?")
        await harness.command("review now")
        everyone = fake.posts("C_ALL_LEADS")[-1]["text"]
        assert "KB review — all teams" in everyone
        assert "Single sign-on (`sso` · security)" in everyone and "(`refund-policy` · billing)" in everyone
    finally:
        await client.close()
    config = make_config()  # no leads, no recipients
    harness, client = await _start(fake, tmp_path / "none", config)
    try:
        await harness.command("review now")
        failed = fake.called("response")[-1]["text"]
        assert "has nobody to go to for" in failed and "[kb_review] recipients" in failed
    finally:
        await client.close()


async def test_the_quarterly_schedule_fires_through_apscheduler(fake: FakeSlack, tmp_path: Any) -> None:
    harness, client = await _start(fake, tmp_path, review_config(enabled=True, time="08:30"))
    ctx = replace(JobContext.of(harness.app), scheduler=SchedulerConfig(enabled=True, timezone="UTC"))
    runner = SchedulerRunner(ctx, harness.app.settings.resolved_database_url, retry_seconds=3600)
    try:
        await runner.tick()
        runs = runner.next_runs()
        assert set(runs) == {"kb_review", "csat"}  # csat: the AI-conversation CSAT question, on by default
        when = runs["kb_review"].astimezone(UTC)
        assert (when.month, when.day, when.hour, when.minute) in {(m, 1, 8, 30) for m in (1, 4, 7, 10)}
        assert timedelta(0) < when - datetime.now(UTC) <= timedelta(days=92)
        assert runner.scheduler is not None
        runner.scheduler.modify_job("kb_review", next_run_time=datetime.now(UTC))
        runner.scheduler.wakeup()
        name, outcome = await asyncio.wait_for(runner.done.get(), timeout=30)
    finally:
        await runner.stop()
        await client.close()
    assert name == "kb_review" and outcome.startswith("Sent the KB review to")
    assert "reset-password" in fake.posts(SUPPORT_LEAD)[-1]["text"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[kb_review]\ntime = "25:00"', "'kb_review.time'"),
        ('[kb_review]\nrecipients = { nosuch = "C_X" }', "'kb_review.recipients.nosuch': no team 'nosuch'"),
        ("[kb_review]\nenabled = true", "'kb_review': enabled but nobody to send it to"),
        ("[kb_review]\nmonth = 1", "unknown key 'kb_review.month'"),
    ],
)
def test_kb_review_config_errors_name_the_key(tmp_path: Any, toml: str, message: str) -> None:
    from bot.core.errors import ConfigError
    from bot.settings import load_config

    path = tmp_path / "frontdesk.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match="frontdesk.toml") as info:
        load_config(path)
    assert message in str(info.value)
