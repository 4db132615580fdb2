"""`frontdesk kb promote` on a real SQLite store where the engine recorded answers and customers voted them down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.bootstrap import channel_defaults
from bot.cli import app
from bot.demotion import compute
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
