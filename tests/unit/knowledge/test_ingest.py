"""Reading KB folders: Markdown/HTML/JSONL, heading chunks, and errors that name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import KnowledgeError
from bot.core.types import Audience
from knowledge.ingest import load_folder
from tests.unit.knowledge.conftest import EXAMPLE_KB, article


def test_markdown_frontmatter_and_heading_passages(small_kb: Path) -> None:
    arts = {a.id: a for a in load_folder(small_kb)}
    refunds = arts["refunds"]
    assert refunds.title == "Refund policy"
    assert refunds.team == "billing" and refunds.tags == ("billing",)
    assert refunds.questions == ("can I get my money back", "how long does a refund take")
    assert [p.heading for p in refunds.passages] == ["Refund policy", "How long it takes"]
    assert all("---" not in p.text and "id:" not in p.text for p in refunds.passages)
    assert arts["internal-discounts"].audience is Audience.INTERNAL
    assert arts["passwort"].language == "de"


def test_html_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<html><head><title>Export data</title><meta name="id" content="export">'
        '<meta name="audience" content="customer"><meta name="tags" content="data, export">'
        '<meta name="viewport" content="width=device-width"></head>'
        "<body><nav>menu</nav><h1>Export data</h1><p>Use Settings &gt; Export to download a CSV.</p>"
        "<h2>Limits</h2><p>Exports hold up to 1 million rows.</p><script>var x=1;</script></body></html>",
        encoding="utf-8",
    )
    rows = [
        {"id": "faq-1", "title": "Change plan", "body": "Open Billing and pick a plan.", "questions": ["upgrade?"]},
        {"id": "faq-2", "title": "Delete account", "body": "Email support.", "language": "en", "extra": 1},
    ]
    (tmp_path / "faq.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    arts = {a.id: a for a in load_folder(tmp_path)}
    page = arts["export"]
    assert page.title == "Export data" and page.tags == ("data", "export")
    assert "menu" not in page.body and "var x" not in page.body
    assert [p.heading for p in page.passages] == ["Export data", "Limits"]
    assert arts["faq-1"].questions == ("upgrade?",)
    assert arts["faq-2"].source == "faq.jsonl:2"


@pytest.mark.parametrize(
    ("frontmatter", "field"),
    [
        ("title: No id\naudience: customer\n", "id"),
        ("id: x\n", "title"),
        ("id: x\ntitle: T\naudience: everyone\n", "audience"),
        ("id: x\ntitle: T\nupdated: last tuesday\n", "updated"),
        ("id: x\ntitle: T\ntags: billing\n", "tags"),
        ("id: x\ntitle: T\nquestions: how?\n", "questions"),
        ("id: has space\ntitle: T\n", "id"),
        ("id: x\ntitle: T\nlanguage: English\n", "language"),
        ("id: x\ntitle: T\naudiance: customer\n", "audiance"),
    ],
)
def test_validation_errors_name_file_and_field(tmp_path: Path, frontmatter: str, field: str) -> None:
    sub = tmp_path / "billing"
    sub.mkdir()
    (sub / "bad.md").write_text(f"---\n{frontmatter}---\nSome text.\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_folder(tmp_path)
    assert "billing/bad.md" in str(exc.value)
    assert f"'{field}'" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The frontmatter is opened on line 1 but never closed: say so, and where the '---' belongs.
        (
            "---\nid: x\ntitle: T\n# Heading\nText.\n",
            "plain.md: line 1: the frontmatter opened with '---' is never closed: add a line with only '---' "
            "before line 4",
        ),
        ("---\nid: x\ntitle: T\n", "never closed: add a line with only '---' after the last field"),
        ("id: x\ntitle: T\n---\nText.\n", "plain.md: line 1: the frontmatter has no opening '---'"),
        ("---\n- a\n- b\n---\nText.\n", "the frontmatter must be fields"),
        ("---\nid: x\ntitle: [T\n---\nText.\n", "plain.md: line 3: frontmatter is not valid YAML"),
    ],
)
def test_frontmatter_errors_say_what_is_wrong_and_where(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "plain.md").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_folder(tmp_path)
    assert message in str(exc.value)
    assert "start the file with" not in str(exc.value)


def test_pages_without_frontdesk_fields_take_id_from_path_and_title_from_heading(tmp_path: Path) -> None:
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "plain.md").write_text("# Just text\n\nSome help.\n", encoding="utf-8")
    (tmp_path / "guide" / "site.md").write_text(
        "---\nlayout: page\nsidebar_position: 2\nlastmod: 2026-03-01\n---\nNo heading here.\n", encoding="utf-8"
    )
    arts = {a.id: a for a in load_folder(tmp_path)}
    assert arts["guide/plain.md"].title == "Just text"
    site = arts["guide/site.md"]
    assert site.title == "Site" and str(site.updated) == "2026-03-01"
    assert {"audience", "tags", "team"} <= set(site.missing)


def test_bad_json_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "faq.jsonl").write_text('{"id": "a", "title": "A", "body": "x"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"faq\.jsonl:2: not valid JSON"):
        load_folder(tmp_path)
    (tmp_path / "faq.jsonl").write_text('{"id": "a", "title": "A", "body": "x"}\n', encoding="utf-8")
    article(tmp_path, "a", "Another A", "text")
    with pytest.raises(KnowledgeError, match=r"faq\.jsonl:1: field 'id': 'a' is already used by a\.md"):
        load_folder(tmp_path)


def test_missing_audience_fails_safe_to_internal_for_internal_looking_articles(tmp_path: Path) -> None:
    article(tmp_path, "secret", "Escalation runbook", "Page the on-call.", audience=None, subdir="internal")
    article(tmp_path, "tagged", "Pricing levers", "Discount rules.", audience=None, tags=["internal"])
    article(tmp_path, "public", "Public page", "Hello.", audience=None)
    arts = {a.id: a for a in load_folder(tmp_path)}
    assert arts["secret"].audience is Audience.INTERNAL and "audience" in arts["secret"].missing
    assert arts["tagged"].audience is Audience.INTERNAL
    assert arts["public"].audience is Audience.CUSTOMER


def test_bundled_example_kb_is_valid() -> None:
    if not EXAMPLE_KB.is_dir():
        pytest.skip("examples/kb not present")
    arts = load_folder(EXAMPLE_KB)
    assert len(arts) >= 20
    assert {a.audience for a in arts} == {Audience.CUSTOMER, Audience.INTERNAL}
