"""`frontdesk kb promote` on a real SQLite store where the engine recorded answers and customers voted them down."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.bootstrap import channel_defaults
from bot.cli.main import app
from bot.orchestration.demotion import compute
from bot.settings import Settings, load_config
from bot.store.sql import SqlStore
from tests.history import open_history

runner = CliRunner()


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    history, values = await open_history(tmp_path, extra_config="\n[demotion]\nmin_votes = 3\n")
    start = history.now - timedelta(days=3)
    for n in range(3):
        await history.say("Where is my invoice?", f"t{n}", at=start + timedelta(hours=n))
        await history.helpful(f"t{n}", False, at=start + timedelta(hours=n, minutes=1))
    await history.say("How do I reset my password?", "ok", at=start)
    await history.helpful("ok", True, at=start + timedelta(minutes=1))
    await history.app.close()
    return values


def test_promote_undoes_a_demotion_and_is_recorded(env: dict[str, str], tmp_path: Path) -> None:
    wrong = runner.invoke(app, ["kb", "promote", "reset-password"], env=env)
    assert wrong.exit_code == 2
    assert "'reset-password' is not demoted (demoted articles: invoices)" in wrong.output

    done = runner.invoke(app, ["kb", "promote", "invoices"], env=env)
    assert done.exit_code == 0, done.output
    assert "promoted invoices: it was demoted with 0/3 helpful answers in 30 days" in done.output

    again = runner.invoke(app, ["kb", "promote", "invoices"], env=env)
    assert again.exit_code == 2 and "(demoted articles: none)" in again.output

    async def check() -> None:
        config = load_config(Path(env["FRONTDESK_CONFIG"]))
        settings = Settings(data_dir=tmp_path / "var", config_file=Path(env["FRONTDESK_CONFIG"]), database_url="")
        store = SqlStore(settings.resolved_database_url, channel_defaults(config, settings))
        try:
            assert await compute(store, config.demotion, datetime.now(UTC)) == []
            changes = await store.admin_changes()
            assert [(c.actor_id, c.what) for c in changes] == [
                ("cli", "kb promote invoices (was article invoices demoted: 0/3 helpful in 30 days)")
            ]
        finally:
            await store.close()

    asyncio.run(check())


ROOT = Path(__file__).resolve().parents[2]


def test_ask_answers_as_the_server_would_with_articles_demoted_by_recorded_feedback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.types import Actor, Address, ArticleHit, Escalate, Handoff, Inbound, Platform, Reply, Respond
    from bot.store.migrate import upgrade

    env = {
        "FRONTDESK_KB": str(ROOT / "examples" / "kb"),
        "FRONTDESK_DATA_DIR": str(tmp_path / "var"),
        "FRONTDESK_CONFIG": str(ROOT / "examples" / "frontdesk.toml"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    before = json.loads(runner.invoke(app, ["ask", "How do I reset my password?", "--json"]).stdout)
    assert (before["decision"], before["articles"][0]["id"]) == ("answer", "account-reset-password")

    async def record() -> None:  # five answers citing the article, each followed at once by a request for a person
        settings = Settings()
        config = load_config(Path(env["FRONTDESK_CONFIG"]))
        settings.ensure_data_dir()
        await upgrade(settings.resolved_database_url)
        store = SqlStore(settings.resolved_database_url, channel_defaults(config, settings))
        hit = ArticleHit("account-reset-password", "Reset your password", 0.9, team="support")
        for n in range(5):
            address = Address(Platform.SLACK, "T", "C", f"t{n}")
            at = datetime.now(UTC) - timedelta(days=2, minutes=n)
            asked = Inbound(f"q{n}", address, Actor("U1", "Dana", "acme"), "password?", at)
            await store.record_decision(f"slack:T:C:t{n}", asked, Respond(Reply("…"), "answered", 0.9, "en", (hit,)))
            human = Inbound(f"h{n}", address, asked.author, "human please", at + timedelta(seconds=20))
            esc = Escalate(Reply("ok"), Handoff("s", "asked_for_human", "support"), "asked_for_human", "en")
            await store.record_decision(f"slack:T:C:t{n}", human, esc)
        await store.close()

    asyncio.run(record())
    result = runner.invoke(app, ["ask", "How do I reset my password?", "--json"])
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)
    assert (after["decision"], after["reason"]) == ("escalate", "low_confidence")
    assert after["confidence"] == pytest.approx(before["confidence"] - 0.3)
    steps = {step["step"]: step["detail"] for step in after["trace"]}
    assert steps["demotion"].startswith("article account-reset-password demoted: 0/5 helpful in 30 days")
