"""`frontdesk kb ingest|audit` and `frontdesk eval`, driven through typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.knowledge import eval_command, kb_app
from tests.unit.knowledge.conftest import article

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(kb_app, name="kb")
    app.command("eval")(eval_command)
    return app


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "var"))
    for name in ("FRONTDESK_CONFIG", "FRONTDESK_LLM", "DATABASE_URL", "FRONTDESK_KB"):
        monkeypatch.delenv(name, raising=False)


def test_ingest_reports_and_is_incremental(small_kb: Path) -> None:
    first = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert first.exit_code == 0, first.output
    assert "ingested 5 articles" in first.output and "5 new" in first.output
    again = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert "5 unchanged" in again.output


def _current_articles(var: Path) -> dict[str, object]:
    (pointer,) = (var / "knowledge").rglob("CURRENT")
    meta = json.loads((pointer.parent / pointer.read_text() / "articles.json").read_text())
    return {"version": pointer.read_text(), "articles": meta["articles"], "file_keys": meta["file_keys"]}


def test_reingest_parses_only_the_changed_file_and_matches_a_clean_ingest(
    small_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing is most of an ingest: a re-ingest takes unchanged files' articles from the stored version (keyed by
    the file's bytes) and parses only the changed file, and what it stores is what a clean ingest stores."""
    import knowledge.ingest

    (small_kb / "guide.rst").write_text("Guide\n=====\n\n.. note::\n\n   Read **this** first.\n", encoding="utf-8")
    (small_kb / "page.html").write_text("<h1>Page</h1><p>Some <b>HTML</b> text.</p>", encoding="utf-8")
    rows = [{"id": "faq-1", "title": "First", "body": "One **bold** answer."}, {"id": "faq-2", "title": "Two",
            "body": "- a\n- b"}]  # fmt: skip
    (small_kb / "faq.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    files = len(list(small_kb.rglob("*.*")))
    parsed: list[str] = []
    real = knowledge.ingest.load_file

    def spy(path: Path, *args: object, **kwargs: object) -> object:
        parsed.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(knowledge.ingest, "load_file", spy)
    first = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert first.exit_code == 0, first.output
    assert f"parsed {files} new or changed files" in first.output and len(parsed) == files
    parsed.clear()
    changed = small_kb / "guide.rst"
    changed.write_text(changed.read_text().replace("first", "before you start"), encoding="utf-8")
    again = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert again.exit_code == 0, again.output
    assert "1 changed" in again.output and "parsed 1 new or changed file" in again.output
    assert parsed == ["guide.rst"]
    incremental = _current_articles(tmp_path / "var")
    assert any("Read this before you start." in a["body"] for a in incremental["articles"])  # type: ignore[attr-defined]

    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "clean"))
    clean = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert clean.exit_code == 0, clean.output
    assert _current_articles(tmp_path / "clean") == incremental


def test_ingest_error_names_file_and_field(tmp_path: Path) -> None:
    kb = tmp_path / "bad"
    kb.mkdir()
    (kb / "x.md").write_text("---\nid: x\ntitle: T\naudience: public\n---\nBody\n", encoding="utf-8")
    result = runner.invoke(_app(), ["kb", "ingest", str(kb)])
    assert result.exit_code == 2
    assert "x.md" in result.output and "'audience'" in result.output


def test_audit_reports_every_problem_at_once_and_ingest_still_refuses(small_kb: Path) -> None:
    """A file ingest refuses is a finding, and the rest of the KB is audited all the same; the server's index is
    not replaced by one missing the file, and `kb ingest` still refuses it."""
    assert runner.invoke(_app(), ["kb", "ingest", str(small_kb)]).exit_code == 0
    (small_kb / "staff.md").write_text(
        "---\nid: staff\ntitle: Staff\naudience: staff-only\n---\nInternal steps.\n", encoding="utf-8"
    )
    (small_kb / "open.md").write_text("---\nid: open\ntitle: Open\n# Open\n\nNever closed.\n", encoding="utf-8")
    article(small_kb, "old", "Legacy", "Old text.", updated="2020-01-01")
    current = sorted((Path("var") / "knowledge").rglob("CURRENT"))[0].read_text()
    result = runner.invoke(_app(), ["kb", "audit", "--kb", str(small_kb)])
    assert result.exit_code == 0, result.output
    assert "Files ingest refuses (2)" in result.output
    assert "staff.md" in result.output and "'staff-only' must be 'customer' or 'internal'" in result.output
    assert "open.md" in result.output and "never closed" in result.output
    assert "Stale" in result.output and "old" in result.output  # the valid articles are audited as usual
    data = json.loads(runner.invoke(_app(), ["kb", "audit", "--json", "--kb", str(small_kb)]).output)
    assert data["articles"] == 6 and data["counts"]["invalid"] == 2
    assert sorted((Path("var") / "knowledge").rglob("CURRENT"))[0].read_text() == current
    refused = runner.invoke(_app(), ["kb", "ingest", str(small_kb)])
    assert refused.exit_code == 2 and "open.md" in refused.output


def test_audit_text_and_json(small_kb: Path) -> None:
    article(small_kb, "old", "Legacy", "Old text.", updated="2020-01-01")
    text = runner.invoke(_app(), ["kb", "audit", "--kb", str(small_kb)])
    assert text.exit_code == 0, text.output
    assert "Stale" in text.output and "old" in text.output
    data = json.loads(runner.invoke(_app(), ["kb", "audit", "--json", "--kb", str(small_kb)]).output)
    assert data["articles"] == 6
    assert any(f["kind"] == "stale" and f["articles"] == ["old"] for f in data["findings"])


def test_eval_runs_the_full_engine(small_kb: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    lines = [
        {"id": "1", "text": "I forgot my password, how do I reset it?", "expected": "reset-password"},
        {"id": "2", "text": "how long does a refund take to reach my card", "expected": ["refunds"]},
        {"id": "3", "text": "what is the airspeed velocity of an unladen swallow", "expected": None},
        {"id": "4", "text": "I want to talk to a human", "expected": None},
    ]
    questions.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        _app(), ["eval", "--kb", str(small_kb), "--questions", str(questions), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["questions"] == 4
    assert set(summary) >= {"top1_accuracy", "answer_rate", "escalation_recall", "confident_wrong_rate", "ece"}
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert all(set(r) == {"id", "decision", "reason", "confidence", "articles", "reply"} for r in rows)
    assert rows[0]["articles"][0] == "reset-password"
    assert rows[3]["decision"] == "escalate"  # asked for a human: the policies ran, not just retrieval
    assert rows[2]["decision"] == "escalate"
    table = runner.invoke(_app(), ["eval", "--kb", str(small_kb), "--questions", str(questions)])
    assert "top-1 accuracy" in table.output


def test_eval_does_not_count_a_greeting_as_an_answer(small_kb: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    lines = [
        {"id": "1", "text": "I forgot my password, how do I reset it?", "expected": "reset-password"},
        {"id": "2", "text": "hi there", "expected": None},
    ]
    questions.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = runner.invoke(_app(), ["eval", "--kb", str(small_kb), "--questions", str(questions), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["decisions"]["answer"] == 2  # the greeting got a reply ...
    assert summary["policy_replies"] == 1  # ... that cites nothing
    assert summary["answer_rate"] == 0.5 and summary["confident_wrong_rate"] == 0.0
    table = runner.invoke(_app(), ["eval", "--kb", str(small_kb), "--questions", str(questions)])
    assert "1 cite no article" in table.output


def test_eval_bad_questions_file(small_kb: Path, tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "1", "text": "hi"}\n', encoding="utf-8")
    result = runner.invoke(_app(), ["eval", "--kb", str(small_kb), "--questions", str(bad)])
    assert result.exit_code == 2 and "'expected'" in result.output


@pytest.mark.parametrize(
    ("frontmatter", "message"),
    [
        # a colon inside an unquoted title: the commonest YAML slip
        ("id: x\ntitle: Billing: refunds\naudience: customer\n", "x.md: line 3: frontmatter is not valid YAML"),
        ("id: x\ntitle: T\ntags: [billing\n", "x.md: line 4: frontmatter is not valid YAML"),
        # PyYAML used to raise a bare ValueError (a traceback) from inside its date parser
        ("id: x\ntitle: T\nupdated: 2026-13-40\n", "x.md: field 'updated': '2026-13-40' must be a date"),
    ],
)
def test_frontmatter_errors_are_one_line_naming_file_and_line(tmp_path: Path, frontmatter: str, message: str) -> None:
    kb = tmp_path / "bad"
    kb.mkdir()
    (kb / "x.md").write_text(f"---\n{frontmatter}---\n# T\nBody\n", encoding="utf-8")
    result = runner.invoke(_app(), ["kb", "ingest", str(kb)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {message}"), result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_dates_with_a_time_still_ingest(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "x.md").write_text(
        "---\nid: x\ntitle: T\naudience: customer\nlanguage: en\nupdated: 2026-01-20 10:00:00\n---\n# T\nBody\n",
        encoding="utf-8",
    )
    result = runner.invoke(_app(), ["kb", "ingest", str(kb)])
    assert result.exit_code == 0, result.output
    assert "ingested 1 article from" in result.output


def test_ingest_defaults_to_frontdesk_kb(small_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_KB", str(small_kb))
    result = runner.invoke(_app(), ["kb", "ingest"])
    assert result.exit_code == 0, result.output
    assert f"ingested 5 articles from {small_kb} " in result.output
    assert "FRONTDESK_KB" in runner.invoke(_app(), ["kb", "ingest", "--help"]).output
    monkeypatch.setenv("FRONTDESK_KB", str(small_kb / "nope"))
    missing = runner.invoke(_app(), ["kb", "ingest"])
    assert missing.exit_code == 2
    assert missing.output == (
        f"error: {small_kb / 'nope'}: knowledge base folder not found; pass one (frontdesk kb ingest PATH) "
        "or set FRONTDESK_KB\n"
    )


def test_ingest_of_an_empty_folder_warns(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(_app(), ["kb", "ingest", str(empty)])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: {empty} holds no articles")


def test_eval_summary_is_plain_columns(small_kb: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "1", "text": "how do I reset my password", "expected": "reset-password"}\n')
    result = runner.invoke(_app(), ["eval", "--kb", str(small_kb), "--questions", str(questions)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["measure", "value"]
    assert re.fullmatch(r"top-1 accuracy \(answerable\) +1\.000", lines[3])
    assert lines[-1].startswith("decisions: answer 1")
    assert not set("┏┃━│") & set(result.output)


def test_eval_checks_out_before_running_the_questions(small_kb: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "1", "text": "how do I reset my password", "expected": "reset-password"}\n')
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(
        _app(), ["eval", "--kb", str(small_kb), "--questions", str(questions), "--out", str(blocker / "out.jsonl")]
    )
    assert result.exit_code == 2
    assert result.output == f"error: --out {blocker / 'out.jsonl'}: cannot write there ({blocker} is a file)\n"


def test_audit_lists_each_id_of_a_multi_article_finding_on_its_own_line(small_kb: Path) -> None:
    # Comma-joined ids wrapped mid-id in narrow terminals; one per line reads (and greps) at any width.
    body = "Webhooks are retried five times over one hour with exponential backoff after a failed delivery."
    article(small_kb, "webhook-retries", "Webhook retries", body)
    article(small_kb, "webhook-retries-copy", "Webhook retries", body)
    result = runner.invoke(_app(), ["kb", "audit", "--kb", str(small_kb)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Near-duplicates")))
    assert lines[start + 1].startswith("  [warning] near-duplicate articles")
    assert sorted(lines[start + 2 : start + 4]) == ["      - webhook-retries", "      - webhook-retries-copy"]


def test_audit_on_an_old_schema_says_why_performance_is_missing(small_kb: Path, tmp_path: Path) -> None:
    import asyncio

    from bot.store.migrate import head, upgrade

    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{var / 'frontdesk.db'}", "0001"))
    result = runner.invoke(_app(), ["kb", "audit", "--kb", str(small_kb)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: per-article performance left out: the database schema is 0001, this version needs {head()}; "
        "run `frontdesk db upgrade` (or start the server once)\n"
    )
    assert result.stdout.splitlines()[-1] == "Per-article performance: left out (see the warning)."


def test_eval_says_which_calibration_the_confidence_used(small_kb: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "1", "text": "how do I reset my password", "expected": "reset-password"}\n')
    args = ["eval", "--kb", str(small_kb), "--questions", str(questions)]
    plain = runner.invoke(_app(), [*args, "--calibration", "params"])
    assert plain.exit_code == 0, plain.output
    line = next(x for x in plain.output.splitlines() if x.startswith("confidence: "))
    assert "en: the parameters file's calibration alone" in line
    own = runner.invoke(_app(), [*args, "--calibration", "self", "--json"])
    assert own.exit_code == 0, own.output
    assert "too few probes to self-calibrate" in json.loads(own.output)["calibration"]  # a three-article KB
    bad = runner.invoke(_app(), [*args, "--calibration", "guess"])
    assert bad.exit_code != 0 and "--calibration guess" in bad.output
