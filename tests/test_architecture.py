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


PACKAGES = ("bot", "adapters", "knowledge", "policies", "scheduler")


def test_a_planted_violation_breaks_the_contracts(tmp_path: Path) -> None:
    """The contracts are not vacuous: the core importing the orchestration must fail the lint."""
    import shutil
    import subprocess
    import sys

    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    core = tmp_path / "bot" / "core" / "errors.py"
    core.write_text(core.read_text() + "\nfrom bot.orchestration import engine  # planted\n")
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter import cli; sys.exit(cli.lint_imports(no_cache=True))"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0, run.stdout
    assert "BROKEN" in run.stdout and "bot.core.errors -> bot.orchestration" in run.stdout


def test_no_import_cycles_anywhere() -> None:
    """Not even between two modules of one package (the scheduler's jobs once imported their own registry)."""
    import grimp

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported != importer and graph.find_shortest_chain(importer=imported, imported=importer):
                cycles.append(f"{importer} -> {imported}")
    assert cycles == []


def test_modules_stay_small() -> None:
    """Small modules with one job: none of the product's modules is over 400 lines."""
    long = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (n := len(path.read_text().splitlines())) > 400
    ]
    assert long == []
