"""Article demotion through the real Slack entry point: "not helpful" votes on answers citing an article demote it,
the next question citing it goes to a person with the reason on the handoff card, `/frontdesk status` lists it, and
`/frontdesk promote` undoes it (admins only, recorded in the admin log)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Config
from policies.demotion import DemotionConfig
from tests.adapters.slack.conftest import (
    ADMIN,
    AGENT,
    AGENTS,
    SHARED,
    Slack,
    all_text,
    make_config,
    make_settings,
    start_slack,
)
from tests.adapters.slack.fake_slack import FakeSlack

REASON = "article reset-password demoted: 0/3 helpful in 30 days"


def demotion_config() -> Config:
    return make_config().model_copy(update={"demotion": DemotionConfig(min_votes=3, penalty=0.3)})


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[Slack]:
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), demotion_config())
    yield harness
    await client.close()


async def _vote_down(slack: Slack, times: int) -> None:
    for _ in range(times):
        await slack.say("How do I reset my password?")
        answer = slack.fake.posts(SHARED)[-1]
        assert "Reset password" in answer["text"]
        await slack.click(answer, "not_helpful")


async def test_votes_demote_an_article_and_its_next_answer_goes_to_a_person(slack: Slack) -> None:
    await _vote_down(slack, 3)
    # The server recounts every `refresh_minutes` in the background; here the recount is run at once.
    await slack.app.demotions.refresh()

    status = (await slack.command("status"))["text"]
    assert "Demoted articles (1, −0.30 confidence; undo with `/frontdesk promote <id>`)" in status
    assert "`reset-password`: 0/3 helpful in 30 days" in status

    cards_before = len(slack.fake.posts(AGENTS))
    await slack.say("How do I reset my password?")
    assert "Reset password" not in slack.fake.posts(SHARED)[-1]["text"]  # the customer is told a person will answer
    cards = slack.fake.posts(AGENTS)[cards_before:]
    assert len(cards) == 1
    card = all_text(cards[0])
    assert "not sure enough" in card and f"(0.63 &lt; 0.70; {REASON})" in card  # its "Why:" line

    decisions = await slack.app.store.decisions()
    last = decisions[-1]
    assert (last.kind, last.reason, last.confidence) == ("escalate", "low_confidence", pytest.approx(0.63))
    trace = await slack.app.store.trace(last.id)  # type: ignore[attr-defined]
    steps = {s.step: s.detail for s in trace}
    assert steps["demotion"] == f"{REASON}; confidence 0.93 → 0.63"
    assert steps["confidence"] == f"low_confidence 0.63 < 0.70; {REASON}"


async def test_promote_is_admin_only_recorded_and_restores_answers(slack: Slack) -> None:
    await _vote_down(slack, 3)
    await slack.app.demotions.refresh()

    refused = await slack.command("promote reset-password", user=AGENT)
    assert "only Frontdesk admins" in refused["text"]
    assert list(slack.app.demotions.current()) == ["reset-password"]

    ack = await slack.command("promote invoices")
    assert ack["text"] == "Promoting `invoices`… I'll tell you here when it is done."
    unknown = slack.fake.called("response")[-1]["text"]
    assert "'invoices' is not demoted (demoted articles: reset-password)" in unknown
    assert "Nothing was changed" in unknown

    await slack.command("promote reset-password")
    done = slack.fake.called("response")[-1]["text"]
    assert done.startswith("Done: `reset-password` is no longer demoted (0/3 helpful in 30 days)")
    assert "Demoted articles: none" in (await slack.command("status"))["text"]
    changes = await slack.app.store.admin_changes()  # type: ignore[attr-defined]
    assert [(c.actor_id, c.what) for c in changes] == [(ADMIN, f"kb promote reset-password (was {REASON})")]

    await slack.say("How do I reset my password?")
    assert "Reset password" in slack.fake.posts(SHARED)[-1]["text"]  # answered by the AI again


async def test_too_few_votes_and_usage(slack: Slack) -> None:
    await _vote_down(slack, 2)
    await slack.app.demotions.refresh()
    assert "Demoted articles: none" in (await slack.command("status"))["text"]
    await slack.say("How do I reset my password?")
    assert "Reset password" in slack.fake.posts(SHARED)[-1]["text"]
    usage = await slack.command("promote")
    assert "usage: `promote <article id>`" in usage["text"]


async def test_the_monday_digest_lists_the_demoted_article_for_its_team(fake: FakeSlack, tmp_path: Any) -> None:
    from tests.adapters.slack.test_digest import LEADS, SUPPORT_LEAD, digest_config

    config = digest_config().model_copy(update={"demotion": DemotionConfig(min_votes=3)})
    harness, client = await start_slack(fake, make_settings(fake, tmp_path), config)
    try:
        await _vote_down(harness, 3)
        await harness.command("digest now")
        support = fake.posts(SUPPORT_LEAD)[-1]["text"]
        assert "*Demoted by feedback* (1; answers citing them go to a person" in support
        assert "• reset-password: 0/3 helpful in 30 days" in support
        assert "Demoted by feedback" not in fake.posts(LEADS)[-1]["text"]  # billing's digest: not its article
    finally:
        await client.close()
