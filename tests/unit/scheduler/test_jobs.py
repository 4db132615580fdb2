"""The digest and QA jobs on a week of real history (tests/history.py), run on demand as `App.jobs` runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import ConfigError, FrontdeskError
from bot.core.ports import DecisionRecord
from bot.metrics.compute import Records, load_records
from bot.metrics.failures import knowledge_gaps
from bot.settings import load_config
from scheduler import digest
from tests.history import History, fill_week, open_history

JOBS = """
[teams.support]
lead = "U_SUPPORT_LEAD"

[teams.billing]

[digest]
everyone = "C_LEADS"

[qa]
channel = "C_QA"
sample = 2
legal_channel = "C_LEGAL"
legal_sample = 2
"""


@pytest.fixture
async def history(tmp_path: Path) -> History:
    h, _ = await open_history(tmp_path, extra_config=JOBS)
    await fill_week(h)
    yield h  # type: ignore[misc]
    await h.app.close()


def posted(h: History, channel: str) -> list[str]:
    return [reply.text for address, reply in h.outbox.sent if address.channel == channel]


async def test_the_all_teams_digest_lists_failures_reasons_articles_and_trends(history: History) -> None:
    records = await load_records(history.app.store, history.now - digest.WEEK * 2)
    text = digest.compose(records, history.now, team=None)
    assert text.startswith("*Frontdesk weekly digest — all teams*")
    assert "Conversations: 7 (previous: 2)" in text and "AI resolution rate: 14% (-36 pts)" in text
    failed = text.split("*Top failed questions* (2)")[1]
    assert "1. “Does the quantum flux module support warp drives?” — nothing in the knowledge base" in failed
    assert "2. “Where is my invoice?” — voted not helpful · en" in failed
    assert "*Escalation reasons:* asked for a person 1, nothing in the knowledge base 1" in text
    assert "• invoices: cited 2 · 0 helpful / 1 not helpful" in text  # B's unhelpful answer
    assert "reset-password" not in text.split("*Articles to fix*")[1]  # helpful more often than not
    assert "*Per language:* en 6 conversations, AI resolution 17% · de 1 conversation, AI resolution 0%" in text


def test_rewordings_of_one_failed_question_are_one_gap() -> None:
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    asked = ["Does Relaybase support SAML SSO?", "does relaybase support SAML sso", "Is there an on-prem version?"]
    decisions = [DecisionRecord(n, f"k{n}", f"m{n}", "escalate", "no_knowledge", None, "en", (), at, text)
                 for n, text in enumerate(asked)]
    found = digest.failed_questions(Records(decisions, [], []), {"k0", "k1", "k2"}, at, at + timedelta(days=1))
    assert [(q.text, q.count) for q in found] == [("Does Relaybase support SAML SSO?", 2), ("Is there an on-prem version?", 1)]


def test_a_knowledge_gap_is_only_what_nothing_covers() -> None:
    """An unsure answer from an article that exists (low_confidence) is a failed question, not a gap: listing it
    told leads to write articles that already exist."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    asked = [("Is there an on-prem version?", "no_knowledge"), ("our card expires, where do i put the new one", "low_confidence")]
    decisions = [DecisionRecord(n, f"k{n}", f"m{n}", "escalate", reason, None, "en", (), at, text)
                 for n, (text, reason) in enumerate(asked)]
    records, keys, until = Records(decisions, [], []), {"k0", "k1"}, at + timedelta(days=1)
    assert [q.text for q in knowledge_gaps(records, keys, at, until)] == ["Is there an on-prem version?"]
    assert len(digest.failed_questions(records, keys, at, until)) == 2


async def test_digest_job_sends_to_team_leads_and_everyone(history: History) -> None:
    summary = await history.app.jobs["digest"]()
    assert summary == "Sent the weekly digest to <@U_SUPPORT_LEAD> (support), <#C_LEADS> (all teams)."
    (support,) = posted(history, "U_SUPPORT_LEAD")
    assert "digest — support" in support and "quantum flux" in support and "Where is my invoice" not in support
    assert "digest — all teams" in posted(history, "C_LEADS")[0]


async def test_qa_job_posts_flagged_answers_then_a_stable_weekly_sample(history: History) -> None:
    summary = await history.app.jobs["qa"]()
    assert summary == "Posted a QA sample of 3 AI answers (1 flagged, 2 random of 4) to <#C_QA>."
    first = posted(history, "C_QA")
    header, items = first[0], first[1:]
    assert "1 flagged by customers as not helpful, and 2 drawn at random from 4 answers" in header
    assert items[0].startswith("Flagged *1.* Q: Where is my invoice?\nA: Invoices are under Billing, then History.")
    assert [i.split(" ")[0] for i in items] == ["Flagged", "Sample", "Sample"] and "_sources: " in items[1]
    # One message per answer, each with its grade buttons.
    qa = [r for a, r in history.outbox.sent if a.channel == "C_QA"]
    buttons = [[(a.label, a.value.split("|")[0]) for a in r.actions] for r in qa[1:]]
    assert buttons == [[("Good", "good"), ("Needs work", "needs_work"), ("Wrong", "wrong")]] * 3
    history.outbox.sent.clear()
    await history.app.jobs["qa"]()
    assert posted(history, "C_QA") == first  # re-running in the same week posts the same sample


async def test_daily_failure_list_has_only_the_last_day(history: History) -> None:
    assert await history.app.jobs["failures"]() == (
        "Sent the daily failure list to <@U_SUPPORT_LEAD> (support), <#C_LEADS> (all teams)."
    )
    assert posted(history, "C_LEADS")[-1].endswith("No failed questions in the last 24 hours.")
    await history.say("Can Relaybase deliver messages by carrier pigeon?", "x1", at=history.now - timedelta(hours=2))
    history.clock.now = history.now
    await history.app.jobs["failures"]()
    text = posted(history, "C_LEADS")[-1]
    assert text.startswith("*Frontdesk daily failures — all teams*")
    assert text.endswith("1. “Can Relaybase deliver messages by carrier pigeon?” — nothing in the knowledge base")
    assert "quantum flux" not in text  # five days old: the weekly digest's, not today's


async def test_monthly_legal_sample_draws_from_thirty_days_without_flagging(history: History) -> None:
    summary = await history.app.jobs["legal"]()
    assert summary == "Posted a legal review sample of 2 of 5 AI answers to <#C_LEGAL>."  # this week's 4 and p1
    header, *items = posted(history, "C_LEGAL")
    assert header.startswith("*Monthly legal review sample of AI answers*") and "flagged" not in header
    assert [i.split(" ")[0] for i in items] == ["Sample", "Sample"]
    assert all(len(r.actions) == 3 for a, r in history.outbox.sent if a.channel == "C_LEGAL" and r.text in items)


async def test_jobs_without_recipients_say_what_to_configure(tmp_path: Path) -> None:
    h, _ = await open_history(tmp_path)
    try:
        with pytest.raises(FrontdeskError, match=r"set \[digest\] recipients"):
            await h.app.jobs["digest"]()
        with pytest.raises(FrontdeskError, match=r"set \[qa\] channel"):
            await h.app.jobs["qa"]()
        assert h.outbox.sent == []
    finally:
        await h.app.close()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[digest]\nday = "funday"', "'digest.day': Value error, day must be one of mon, tue"),
        ('[qa]\ntime = "25:00"', "'qa.time': Value error, time must be HH:MM"),
        ('[scheduler]\ntimezone = "Mars/Olympus"', "unknown time zone 'Mars/Olympus'"),
        ('[digest]\nrecipients = { nobody = "C_X1" }', "'digest.recipients.nobody': no team 'nobody' in [teams]"),
        ("[digest]\nenabled = true", "'digest': enabled but nobody to send it to"),
        ("[qa]\nenabled = true", "'qa.channel': required when qa.enabled is true"),
        ('[qa]\nchannel = "#qa"', "'#qa' is not a Slack channel or user id"),
        ('[teams.support]\nlead = "dana@example.com"', "'teams.support.lead': 'dana@example.com' is not a Slack"),
        ("[digest]\nhour = 9", "unknown key 'digest.hour'"),
        ('[campaigns.launch]\ntext = "Hi {name}"', "'campaigns.launch.text': Value error, unknown placeholder {name}"),
        ('[campaigns.launch]\ntext = "Hi"\nquiet_hours = "late"', "quiet_hours must be HH:MM-HH:MM"),
        ("[campaigns.launch]\nday = \"tue\"", "'campaigns.launch.text': Field required"),
        ('[campaigns.launch]\ntext = "Hi"\nholdout = 1.5', "'campaigns.launch.holdout'"),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert message in str(exc.value) and str(path) in str(exc.value)
