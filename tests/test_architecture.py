"""The layering of ARCHITECTURE.md, enforced by import-linter over the real import graph (pyproject's contracts)."""

from __future__ import annotations

from pathlib import Path

from importlinter import cli

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == cli.EXIT_STATUS_SUCCESS


def test_contracts_cover_every_top_level_package() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    for package in ("bot", "adapters", "knowledge", "policies", "scheduler"):
        assert f'"{package}"' in text
