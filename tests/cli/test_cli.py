"""The `frontdesk` command as a user types it: ask, db upgrade, serve (/healthz), and clear errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "FRONTDESK_KB": str(ROOT / "examples" / "kb"),
        "FRONTDESK_DATA_DIR": str(tmp_path / "var"),
        "FRONTDESK_CONFIG": str(ROOT / "examples" / "frontdesk.toml"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return values


def test_ask_json_runs_the_full_engine(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "How do I reset my password?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"] == "answer"
    assert data["reason"] == "answered"
    assert data["articles"][0]["id"] == "account-reset-password"
    assert 0.0 <= data["confidence"] <= 1.0
    assert data["reply"]
    assert any(step["step"] == "knowledge" for step in data["trace"])


def test_ask_escalates_a_request_for_a_human(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "I want to talk to a human", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["decision"], data["reason"]) == ("escalate", "asked_for_human")


def test_ask_in_pre_approval_mode_drafts(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "How do I reset my password?", "--json", "--mode", "pre-approval"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"] == "draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "the message is empty"),
        (["ask", "hi", "--mode", "turbo"], "unknown mode 'turbo'"),
    ],
)
def test_bad_input_is_a_clear_error(env: dict[str, str], args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_config_file_is_a_clear_error(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_CONFIG", "/nonexistent/frontdesk.toml")
    result = runner.invoke(app, ["ask", "hello"])
    assert result.exit_code == 2
    assert "FRONTDESK_CONFIG points to /nonexistent/frontdesk.toml" in result.output


def test_db_upgrade_creates_the_sqlite_database(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.stdout
    assert (Path(env["FRONTDESK_DATA_DIR"]) / "frontdesk.db").is_file()
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and again.stdout == result.stdout


def test_serve_answers_healthz_then_stops_on_sigterm(env: dict[str, str]) -> None:
    command = [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--port", "0"]
    proc = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"Playground: (http://127\.0\.0\.1:\d+)/ui", line)
            url = found.group(1) if found else None
        assert url, "the server never printed its playground URL"
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            assert response.status == 200
            body = json.loads(response.read())
        assert body["status"] == "ok" and body["kb_version"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0


@pytest.mark.parametrize("llm", ["bogus", "notaprovider:some-model"])
def test_unusable_llm_setting_is_a_clear_error(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, llm: str) -> None:
    monkeypatch.setenv("FRONTDESK_LLM", llm)
    result = runner.invoke(app, ["ask", "How do I reset my password?"])
    assert result.exit_code == 2
    assert f"FRONTDESK_LLM={llm!r} cannot be used" in result.output
    assert "Traceback" not in result.output
