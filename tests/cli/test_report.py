"""`frontdesk report` on a real SQLite store filled by driving the engine, dispatcher and desk (tests/history.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.history import fill_week, open_history

runner = CliRunner()


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    history, values = await open_history(tmp_path)
    await fill_week(history)
    await history.app.close()
    return values


def report(env: dict[str, str], *args: str) -> Any:
    result = runner.invoke(app, ["report", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_headline_metrics_of_the_week(env: dict[str, str]) -> None:
    data = report(env)
    m = data["current"]
    # 7 conversations: A resolved by the AI; B (unhelpful) and E (reopened) not; C, D handoffs; F, G drafts.
    # Deflected: A and E (no person, last signal not negative); B ended on "not helpful", so it is not.
    assert (m["conversations"], m["ai_resolved"], m["deflected"], m["escalated"], m["human_resolved"]) == (7, 1, 2, 2, 4)
    assert m["ai_resolution_rate"] == pytest.approx(1 / 7)
    assert m["deflection_rate"] == pytest.approx(2 / 7)
    # CSAT is 1-5 on both sides: no AI conversation was rated yet (votes are not CSAT); human: C's 5 and D's 2.
    assert (m["csat_ai"], m["csat_ai_n"], m["csat_human"], m["csat_human_n"]) == (None, 0, 0.5, 2)
    assert m["csat_human_mean"] == pytest.approx(3.5)
    assert (m["overrides"], m["override_verdicts"], m["override_rate"]) == (1, 2, 0.5)  # F edited, G approved
    assert m["escalation_reasons"] == {"asked_for_human": 1, "no_knowledge": 1}
    # 6 LLM answers/drafts × (1000 in at $1/M + 100 out at $4/M); agents 30 + 15 + 10 + 5 minutes at $60/h.
    assert (m["input_tokens"], m["output_tokens"]) == (6000, 600)
    assert m["llm_cost_usd"] == pytest.approx(0.0084)
    assert m["agent_minutes"] == pytest.approx(60)
    assert m["cost_per_resolution_usd"] == pytest.approx((60 + 0.0084) / 5)
    # AI: A, B, E's four answers (0.0014 each) over the one AI resolution; human: F, G's drafts + $60 over four.
    assert m["cost_per_ai_resolution_usd"] == pytest.approx(0.0056)
    assert m["cost_per_human_resolution_usd"] == pytest.approx((60 + 0.0028) / 4)
    previous = data["previous"]
    assert (previous["conversations"], previous["ai_resolved"], previous["escalated"]) == (2, 1, 1)


def test_filters_by_team_channel_and_language(env: dict[str, str]) -> None:
    billing = report(env, "--team", "billing")["current"]
    assert (billing["conversations"], billing["overrides"], billing["csat_ai"]) == (2, 1, None)  # B and F
    german = report(env, "--language", "de")["current"]
    assert (german["conversations"], german["ai_resolved"], german["deflected"]) == (1, 0, 1)  # E reopened
    drafts = report(env, "--channel", "C_DRAFTS")["current"]
    assert (drafts["conversations"], drafts["human_resolved"], drafts["deflected"]) == (2, 2, 0)
    by_team = report(env)["by"]["team"]
    assert {team: m["conversations"] for team, m in by_team.items()} == {"support": 5, "billing": 2}


def test_a_longer_period_takes_in_the_week_before_and_shows_each_week(env: dict[str, str]) -> None:
    data = report(env, "--days", "14")
    m = data["current"]
    assert (m["conversations"], m["ai_resolved"]) == (9, 2)
    assert [(w["conversations"], w["ai_resolved"]) for w in data["weeks"]] == [(2, 1), (7, 1)]
    assert report(env)["weeks"] == []  # one week has no trend of its own
    text = runner.invoke(app, ["report", "--days", "14"], env=env).stdout
    assert "By week:" in text and "2 conversations, AI resolution 50%" in text and "7 conversations, AI resolution 14%" in text


def test_readable_output(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report"], env=env)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Conversations: 7 (previous: 2)" in text
    assert "AI resolution rate: 14% (-36 pts)" in text
    assert "Escalation reasons: asked for a person 1, nothing in the knowledge base 1" in text
    assert "By language:" in text and "de: 1 conversation," in text
    empty = runner.invoke(app, ["report", "--team", "nobody"], env=env)
    assert empty.exit_code == 0 and "No conversations in this period for this filter." in empty.stdout


def test_bad_input_is_a_clear_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", "--until", "last tuesday"], env=env)
    assert result.exit_code == 2 and "is not a date" in result.output
    result = runner.invoke(app, ["report", "--days", "0"], env=env)
    assert result.exit_code == 2 and "Traceback" not in result.output


CAMPAIGN = """
[campaigns.exports]
text = "CSV exports are live."
holdout = 0.5
"""


async def _campaign(tmp_path: Path, orgs: int, *, stop: int = 0) -> tuple[dict[str, str], int, int]:
    """`orgs` organisations, one campaign with a 50 % holdout; held-out organisations then ask for a person twice
    each, those that got it once in all; `stop` of those that got it press "Stop these updates". Returns the CLI
    environment and the (sent, held out) channel counts."""
    from datetime import timedelta

    from bot.orchestration.optout import opt_out
    from scheduler.campaigns import group

    h, env = await open_history(tmp_path, extra_config=CAMPAIGN)
    start = h.now - timedelta(days=10)
    for n in range(orgs):
        await h.say("How do I reset my password?", f"t{n}", channel=f"C_ORG{n}", who=f"c{n}", org=f"T_ORG{n}", at=start)
    h.clock.now = start + timedelta(hours=1)
    summary = await h.app.jobs["campaign.exports"]()
    contacts = await h.app.store.contacts()
    held = [c for c in contacts if group("exports", h.app.config.campaigns["exports"], c) == "holdout"]
    assert summary == f"Campaign exports: {orgs - len(held)} sent, {len(held)} holdout." and 0 < len(held) < orgs
    for c in held:
        for k in range(2):
            await h.say("I want to talk to a human", f"h{k}", channel=c.address.channel, who=c.org, org=c.org,
                        at=start + timedelta(days=1, hours=k))
    sent = [c for c in contacts if c not in held]
    await h.say("I want to talk to a human", "s0", channel=sent[0].address.channel, who=sent[0].org,
                org=sent[0].org, at=start + timedelta(days=2))
    for c in sent[:stop]:
        await opt_out(h.app.store, c.org, c.address, start + timedelta(hours=2), "U_SOMEONE")
    await h.app.close()
    return env, len(sent), len(held)


@pytest.fixture
async def campaign_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], int, int]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return await _campaign(tmp_path, 8, stop=1)


def test_campaign_effect_compares_tickets_with_the_holdout(campaign_env: tuple[dict[str, str], int, int]) -> None:
    env, sent, held = campaign_env
    result = runner.invoke(app, ["report", "--campaign", "exports", "--days", "14", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["sent_channels"], data["holdout_channels"]) == (sent, held)
    assert (data["sent_tickets"], data["holdout_tickets"]) == (1, 2 * held)
    reduction = 1 - (1 / sent) / 2
    assert data["ticket_reduction"] == pytest.approx(reduction)
    assert (data["opted_out"], data["opt_out_rate"]) == (1, pytest.approx(1 / sent))
    assert data["tickets_per_channel_difference"]["too_small"] is True  # eight channels in all
    text = runner.invoke(app, ["report", "--campaign", "exports", "--days", "14"], env=env).stdout
    assert "Sample too small to conclude" in text and "Ticket reduction" not in text
    assert f"Opt-out rate: {1 / sent:.0%} (1 of {sent} channels that got it pressed \"Stop these updates\")" in text
    missing = runner.invoke(app, ["report", "--campaign", "nope"], env=env)
    assert missing.exit_code == 2 and "no campaign 'nope' in [campaigns] (campaigns: exports)" in missing.output


def test_the_collaboration_models_choices_are_reported(env: dict[str, str]) -> None:
    # F's draft was edited and G's approved (tests/history.py): the desk recorded each choice.
    assert report(env)["collaboration"] == {"approved": 1, "edited": 1}
    text = runner.invoke(app, ["report"], env=env).stdout
    assert "Drafts: approved 1, edited 1, rejected 0 (of 2)" in text


@pytest.fixture
async def big_campaign_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], int, int]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return await _campaign(tmp_path, 24)


def test_campaign_effect_on_enough_channels_has_an_interval_and_a_p_value(
        big_campaign_env: tuple[dict[str, str], int, int]) -> None:
    env, sent, held = big_campaign_env
    assert min(sent, held) >= 5
    data = json.loads(runner.invoke(app, ["report", "--campaign", "exports", "--days", "14", "--json"], env=env).stdout)
    c = data["tickets_per_channel_difference"]
    assert c["difference"] == pytest.approx(1 / sent - 2)  # one ticket among the sent channels, two per held-out one
    assert c["ci95"][0] <= c["difference"] <= c["ci95"][1] < 0
    assert c["p_value"] < 0.001 and c["significant"] is True
    text = runner.invoke(app, ["report", "--campaign", "exports", "--days", "14"], env=env).stdout
    assert "a real difference" in text and "permutation test p = 0.000" in text
