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

from bot.cli.main import app

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
        (["ask", "hi", "--language", "english"], "--language 'english': use a two-letter ISO 639-1 code"),
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
    db = Path(env["FRONTDESK_DATA_DIR"]).resolve() / "frontdesk.db"
    assert re.fullmatch(rf"database sqlite\+aiosqlite:///{re.escape(str(db))} at revision \d+ \(created\)\n", result.stdout)
    assert (Path(env["FRONTDESK_DATA_DIR"]) / "frontdesk.db").is_file()
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and again.stdout == result.stdout.replace("(created)", "(already up to date)")


def test_serve_answers_healthz_and_the_dashboard_then_stops_on_sigterm(env: dict[str, str]) -> None:
    command = [sys.executable, "-c", "from bot.cli.main import main; main()", "serve", "--port", "0"]
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
        assert f"leads' dashboard: {url}/dashboard" in line
        with urllib.request.urlopen(f"{url}/api/dashboard?days=14", timeout=60) as response:
            dashboard = json.loads(response.read())  # the real knowledge base: its embedder groups the gaps
        assert dashboard["current"]["conversations"] == 0 and dashboard["gap_grouping"].startswith("meaning")
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


BOX = set("╭╮╰╯│─┏┓┗┛┃━┡┩")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "Error: No such command 'nosuch'."),
        (["serve", "--port", "abc"], "Error: Invalid value for '--port'"),
        (["ask"], "Error: Missing argument 'message'."),
        (["db", "upgrade", "--bogus"], "Error: No such option: --bogus"),
    ],
)
def test_usage_errors_are_plain_text(env: dict[str, str], args: list[str], message: str) -> None:
    # Rich's boxed errors were unreadable in pipes and CI logs; click's plain form says the same in three lines.
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert not BOX & set(result.output), result.output


@pytest.mark.parametrize("args", [["--help"], ["kb", "--help"], ["kb", "ingest", "--help"], ["db"]])
def test_help_is_plain_text(env: dict[str, str], args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert "Usage: " in result.output
    assert not BOX & set(result.output), result.output


def test_error_text_is_printed_verbatim_on_one_line(env: dict[str, str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A markup-aware printer swallowed "[staging]" (it looks like a style tag); errors must show paths as they are.
    missing = tmp_path / "[staging]" / "frontdesk.toml"
    monkeypatch.setenv("FRONTDESK_CONFIG", str(missing))
    result = runner.invoke(app, ["ask", "hello"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: FRONTDESK_CONFIG points to {missing}, which does not exist\n"


def test_ask_text_output_is_plain(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "I want a refund, you charged us twice"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == "escalate (sensitive:billing_dispute)"  # no "confidence None" when nothing was retrieved
    answered = runner.invoke(app, ["ask", "How do I reset my password?"]).stdout.splitlines()
    assert re.fullmatch(r"answer \(answered, confidence \d\.\d\d\)", answered[0])
    assert any(line.startswith("  · account-reset-password: ") for line in answered)


def test_unreachable_database_is_one_line_without_the_password(env: dict[str, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 1 on loopback refuses at once: no network beyond this machine, no waiting.
    monkeypatch.setenv("DATABASE_URL", "postgresql://frontdesk:hunter2secret@127.0.0.1:1/frontdesk")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "hunter2secret" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot connect to the database at postgresql+psycopg://frontdesk:***@127.0.0.1:1/")
    assert "refused" in lines[0].lower()


@pytest.mark.parametrize("args", [["db", "upgrade"], ["ask", "hello"], ["kb", "ingest"], ["kb", "audit"]])
def test_unusable_data_dir_is_one_line(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       args: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(blocker / "var"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == f"error: FRONTDESK_DATA_DIR={blocker / 'var'}: cannot create this folder (Not a directory)\n"


def test_serve_on_a_busy_port_says_what_to_do(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use (another Frontdesk running?); "
        "stop it or choose another with --port\n"
    )
    assert "Traceback" not in result.output


def test_version_and_command_list(env: dict[str, str]) -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"frontdesk {version('frontdesk')}\n")
    listed = runner.invoke(app, ["--help"]).stdout
    commands = [line.split()[0] for line in listed.split("Commands:")[1].splitlines() if line.strip()]
    assert commands == ["serve", "ask", "eval", "report", "db", "kb", "teams"]
    assert "..." not in listed.split("Commands:")[1]  # every one-line summary fits


@pytest.mark.parametrize(
    ("host", "url", "note"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080", ""),
        ("0.0.0.0", "http://127.0.0.1:8080", "; listening on every interface"),
        ("::", "http://127.0.0.1:8080", "; listening on every interface"),
        ("::1", "http://[::1]:8080", ""),
    ],
)
def test_the_printed_playground_url_can_be_opened(host: str, url: str, note: str) -> None:
    from bot.cli.main import running_line

    assert running_line(host, 8080) == f"Frontdesk is running. Playground: {url}/ui  (health: {url}/healthz{note})"


def test_the_running_line_names_the_pages_that_are_on() -> None:
    from bot.cli.main import running_line

    both = running_line("127.0.0.1", 80, dashboard=True)
    assert "Playground: http://127.0.0.1:80/ui, leads' dashboard: http://127.0.0.1:80/dashboard" in both
    assert running_line("127.0.0.1", 80, playground=False).startswith("Frontdesk is running. No web pages")


def test_check_port_fails_fast_with_the_make_hint(env: dict[str, str]) -> None:
    """`make run` checks the port before migrate, ingest and model loading, and hints PORT= (not --port)."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--check-port", "--make-hint", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use (another Frontdesk running?); "
        f"stop it or choose another with make run PORT={port + 1}\n"
    )
    assert result.stdout == ""  # nothing was started: no "Starting Frontdesk" line


def test_check_port_on_a_free_port_says_nothing(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = runner.invoke(app, ["serve", "--check-port", "--port", str(port)])
    assert (result.exit_code, result.output) == (0, "")


def test_kb_ingest_of_a_help_center_names_the_better_embedder(env: dict[str, str], tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    for slug, title in (("invite", "Invite people"), ("mute", "Mute a channel")):
        (kb / f"{slug}.md").write_text(f"# {title}\n\nOpen the menu and choose {title.lower()}.\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "ingest", str(kb)])
    assert result.exit_code == 0, result.output
    assert "ingested 2 articles" in result.stdout and 'knowledge.embedder = "minilm"' in result.stdout
