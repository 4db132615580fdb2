"""`make run` as a new user meets it: one settings file for make and the bare CLI, the port checked first.

The Makefile runs against a stand-in `frontdesk` (a script that records its arguments and FRONTDESK_CONFIG) in a
scratch folder, so the test checks the real recipe's order and environment without installing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE = """#!/bin/sh
echo "$* | FRONTDESK_CONFIG=${FRONTDESK_CONFIG-unset}" >> "$(dirname "$0")/calls"
case "$*" in *--check-port*) [ -f "$(dirname "$0")/busy" ] && { echo "error: busy" >&2; exit 2; } ;; esac
exit 0
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _project(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "frontdesk.toml").write_text("# example\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "frontdesk"
    fake.write_text(FAKE, encoding="utf-8")
    fake.chmod(0o755)
    stamp = bin_dir / "stamp"
    stamp.write_text("", encoding="utf-8")
    os.utime(tmp_path / "pyproject.toml", (1, 1))  # the install stamp is newer: nothing to install
    return bin_dir, stamp


def _make(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir, stamp = tmp_path / "bin", tmp_path / "bin" / "stamp"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "MAKE"))}
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(tmp_path), "-f", str(ROOT / "Makefile"), "run",
         f"BIN={bin_dir}", f"RUNTIME={stamp}", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )


def test_make_run_and_the_bare_cli_read_the_same_file(tmp_path: Path) -> None:
    bin_dir, _ = _project(tmp_path)
    result = _make(tmp_path, "PORT=8099")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "frontdesk.toml").read_text(encoding="utf-8") == "# example\n"
    assert "Created frontdesk.toml from examples/frontdesk.toml" in result.stdout
    calls = (bin_dir / "calls").read_text(encoding="utf-8").splitlines()
    # No FRONTDESK_CONFIG: the server reads ./frontdesk.toml, exactly as `.venv/bin/frontdesk report` does.
    assert calls == [
        "serve --check-port --make-hint --port 8099 | FRONTDESK_CONFIG=unset",
        "db upgrade | FRONTDESK_CONFIG=unset",
        "kb ingest examples/kb | FRONTDESK_CONFIG=unset",
        "serve --port 8099 --make-hint | FRONTDESK_CONFIG=unset",
    ]
    # A second run keeps the user's edits.
    (tmp_path / "frontdesk.toml").write_text("# mine\n", encoding="utf-8")
    assert _make(tmp_path).returncode == 0
    assert (tmp_path / "frontdesk.toml").read_text(encoding="utf-8") == "# mine\n"


def test_a_busy_port_stops_make_run_before_the_slow_steps(tmp_path: Path) -> None:
    bin_dir, _ = _project(tmp_path)
    (bin_dir / "busy").write_text("", encoding="utf-8")
    result = _make(tmp_path)
    assert result.returncode != 0
    calls = (bin_dir / "calls").read_text(encoding="utf-8").splitlines()
    assert calls == ["serve --check-port --make-hint | FRONTDESK_CONFIG=unset"]


def test_run_installs_runtime_dependencies_only_and_test_adds_the_test_tools() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}

    def dry(target: str) -> str:
        return subprocess.run(["make", "-n", "-B", "-C", str(ROOT), target], capture_output=True, text=True, env=env,
                              timeout=60, check=True).stdout

    run, test = dry("run"), dry("test")
    installs = [line for line in run.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs and all("[test]" not in line for line in installs)
    assert all("--quiet" not in line for line in installs)  # the long install shows its progress
    assert all(line.startswith("PYTHONWARNINGS=ignore ") for line in installs)  # no setuptools warning box
    assert any("pip install" in line and "'.[test]'" in line for line in test.splitlines())
