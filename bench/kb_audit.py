"""`frontdesk kb audit` on a real help center with planted problems: found and false-flag rates.

    python -m bench.kb_audit [--json]

Copies the 140 Mattermost docs (../shared/data/kb_mattermost_docs/docs, Sphinx reST and Markdown) to a temporary
folder — never into the repo — gives every page a recent `updated` date (as a help center exported from git would
have), then plants:

- duplicates: 5 pages copied into an `archive/` folder under a new title, one paragraph dropped;
- conflicts: 6 figures (a price, two trial lengths, a file-size limit, a link expiry, a date) stated in one page and
  stated differently, in other words, in another page on the same topic;
- stale: 5 pages dated 2024;
- invalid: 5 files ingest must refuse (`audience: staff-only`, an impossible date, a frontmatter never closed, an id
  already used, a file that is not UTF-8).

It runs the real command (`frontdesk kb audit --json --kb DIR`, its own data dir) and counts, per kind, the planted
problems it reports (found) and the findings of that kind no plant explains (unplanted; listed, since a real help
center has real problems too: each is read by hand and reported in bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.datasets import DATA, ROOT

DOCS = DATA / "kb_mattermost_docs" / "docs"
TODAY = "2026-12-01"

DUPLICATES = [
    "end-user-guide/collaborate/send-messages.rst",
    "end-user-guide/collaborate/schedule-messages.rst",
    "end-user-guide/preferences/customize-your-theme.rst",
    "end-user-guide/collaborate/archive-unarchive-channels.rst",
    "product-overview/cloud-dedicated.rst",
]
# (page, sentence) pairs: the same fact, two figures, two wordings, two pages on one topic.
CONFLICTS = [
    (
        (
            "product-overview/non-profit-subscriptions.rst",
            "Nonprofits pay a $250 processing fee for each 3-year Professional license, for up to 1,000 users.",
        ),
        (
            "product-overview/faq-license.rst",
            "Registered nonprofits can get a Professional license for 3 years with a one-time processing fee of $300.",
        ),
    ),
    (
        (
            "product-overview/cloud-subscriptions.rst",
            "Your Cloud free trial lasts 30 days, and no credit card is needed to start it.",
        ),
        (
            "product-overview/editions-and-offerings.rst",
            "Every new Cloud workspace starts with a 14-day free trial of all Enterprise features.",
        ),
    ),
    (
        (
            "product-overview/self-hosted-subscriptions.rst",
            "A self-hosted Enterprise trial license is valid for 60 days from the day you request it.",
        ),
        (
            "product-overview/faq-enterprise.rst",
            "The self-hosted Enterprise trial license expires after 30 days; contact sales to extend it.",
        ),
    ),
    (
        (
            "end-user-guide/collaborate/share-files-in-messages.rst",
            "Each attachment can be up to 100 MB unless your system admin changed the limit.",
        ),
        (
            "end-user-guide/collaborate/send-messages.rst",
            "Attachments larger than 50 MB are refused unless your system admin raised the limit.",
        ),
    ),
    (
        (
            "end-user-guide/collaborate/invite-people.rst",
            "An invitation link you share by email stays valid for 7 days.",
        ),
        (
            "end-user-guide/collaborate/manage-channel-members.rst",
            "Invitation links shared by email stay valid for 48 hours, after which you need to send a new invitation.",
        ),
    ),
    (
        (
            "product-overview/releases-lifecycle.rst",
            "Support for the v10.11 Extended Support Release ends on August 15, 2026.",
        ),
        (
            "product-overview/release-policy.md",
            "The v10.11 Extended Support Release is supported until November 15, 2026.",
        ),
    ),
]
STALE = [
    "end-user-guide/collaborate/flag-messages.rst",
    "end-user-guide/access/log-out.rst",
    "end-user-guide/preferences/manage-your-display-options.rst",
    "product-overview/desktop.rst",
    "get-help/community-chat.rst",
]
INVALID = {
    "invalid/staff-only.md": "---\nid: staff-escalations\ntitle: Escalations\naudience: staff-only\n---\n# Escalations\n"
    "\nPage the on-call lead.\n",
    "invalid/bad-date.rst": ":updated: 2026-13-45\n\nRefund window\n=============\n\nRefunds within 14 days.\n",
    "invalid/unclosed.md": "---\nid: unclosed\ntitle: Unclosed\n# Unclosed\n\nThe frontmatter never ends.\n",
    "invalid/taken-id.md": "---\nid: end-user-guide/collaborate/send-messages.rst\ntitle: Send messages (copy)\n"
    "audience: customer\n---\nSend a message with Enter.\n",
}
NOT_UTF8 = "invalid/latin1.md"


def _with_date(text: str, suffix: str, updated: str) -> str:
    """The page with an `updated` date in the form its format uses (a top field list in reST, a site generator's
    `lastmod` in Markdown, which Frontdesk reads as `updated`)."""
    if suffix == ".rst":
        return f":updated: {updated}\n" + text if text.startswith(":") else f":updated: {updated}\n\n" + text
    return f"---\nlastmod: {updated}\n---\n" + text


def _append(path: Path, sentence: str) -> None:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n{sentence}\n", encoding="utf-8")


def plant(kb: Path) -> dict[str, list[tuple[str, ...]]]:
    """Copy the docs into `kb` with the planted problems; returns what each kind should find (article ids or
    file paths)."""
    shutil.copytree(DOCS, kb)
    pages = sorted(p for p in kb.rglob("*") if p.suffix in (".rst", ".md"))
    for n, path in enumerate(pages):
        rel = path.relative_to(kb).as_posix()
        updated = "2024-02-01" if rel in STALE else f"2026-{8 + n % 4:02d}-{1 + n % 27:02d}"
        path.write_text(_with_date(path.read_text(encoding="utf-8"), path.suffix, updated), encoding="utf-8")
    expected: dict[str, list[tuple[str, ...]]] = {"duplicate": [], "conflict": [], "stale": [], "invalid": []}
    for rel in DUPLICATES:
        source = kb / rel
        paragraphs = source.read_text(encoding="utf-8").split("\n\n")
        drop = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]) if i > 3 else 0)
        copy = kb / "archive" / Path(rel).name
        copy.parent.mkdir(exist_ok=True)
        copy.write_text("\n\n".join(p for i, p in enumerate(paragraphs) if i != drop), encoding="utf-8")
        expected["duplicate"].append((rel, f"archive/{copy.name}"))
    for (page_a, said_a), (page_b, said_b) in CONFLICTS:
        _append(kb / page_a, said_a)
        _append(kb / page_b, said_b)
        expected["conflict"].append((page_a, page_b))
    expected["stale"] = [(rel,) for rel in STALE]
    for rel, text in INVALID.items():
        (kb / rel).parent.mkdir(exist_ok=True)
        (kb / rel).write_text(text, encoding="utf-8")
        expected["invalid"].append((rel,))
    (kb / NOT_UTF8).write_bytes("---\nid: café\ntitle: Café\n---\nPrix: 5 francs\n".encode("latin-1"))
    expected["invalid"].append((NOT_UTF8,))
    return expected


def score(expected: dict[str, list[tuple[str, ...]]], report: dict[str, object]) -> dict[str, dict[str, object]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    out: dict[str, dict[str, object]] = {}
    for kind, planted in expected.items():
        got = [tuple(f["articles"]) for f in findings if f["kind"] == kind]
        if kind == "stale":  # pages without a date are a different finding: "cannot tell if it is current"
            got = [tuple(f["articles"]) for f in findings if f["kind"] == kind and "no 'updated'" not in f["message"]]
        found = [p for p in planted if any(set(p) == set(g) for g in got)]
        unplanted = [g for g in got if not any(set(p) == set(g) for p in planted)]
        out[kind] = {
            "planted": len(planted),
            "found": len(found),
            "found_rate": round(len(found) / len(planted), 3) if planted else None,
            "reported": len(got),
            "unplanted": len(unplanted),
            "false_flag_rate": round(len(unplanted) / len(got), 3) if got else 0.0,
            "missed": [p for p in planted if p not in found],
            "unplanted_findings": [f for f in findings if f["kind"] == kind and tuple(f["articles"]) in unplanted][:20],
        }
    return out


def audit(kb: Path, data_dir: Path) -> dict[str, object]:
    """`frontdesk kb audit --json` on `kb`, as a user runs it (its own data dir, no config file)."""
    env = {**os.environ, "FRONTDESK_DATA_DIR": str(data_dir), "FRONTDESK_KB": str(kb)}
    env.pop("FRONTDESK_CONFIG", None)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "frontdesk"), "kb", "audit", "--json", "--kb", str(kb)],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"kb audit failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    report: dict[str, object] = json.loads(done.stdout)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args()
    if not DOCS.is_dir():
        print(f"skipped: {DOCS} not present")
        return
    with tempfile.TemporaryDirectory(prefix="kb-audit-bench-") as tmp:
        kb = Path(tmp) / "docs"
        expected = plant(kb)
        report = audit(kb, Path(tmp) / "var")
        # The example KB states no conflicting figures: every conflict reported there is a false flag.
        example = audit(ROOT / "examples" / "kb", Path(tmp) / "var-example")
    result = {
        "articles": report["articles"],
        "counts": report["counts"],
        "kinds": score(expected, report),
        "example_kb_conflicts": [f["detail"] for f in example["findings"] if f["kind"] == "conflict"],
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"kb audit on the Mattermost docs with planted problems: {report['articles']} articles audited")
    print(
        f"{'kind':<10} {'planted':>7} {'found':>6} {'found rate':>10} {'reported':>9} {'unplanted':>9} {'false-flag rate':>15}"
    )
    for kind, r in result["kinds"].items():
        print(
            f"{kind:<10} {r['planted']:>7} {r['found']:>6} {r['found_rate']:>10} {r['reported']:>9} "
            f"{r['unplanted']:>9} {r['false_flag_rate']:>15}"
        )
    print("all findings by kind:", json.dumps(report["counts"], sort_keys=True))
    print(f"example KB (states no conflicting figures): {len(result['example_kb_conflicts'])} conflicts reported")
    for detail in result["example_kb_conflicts"]:
        print(f"  false conflict: {detail[:300]}")
    for kind, r in result["kinds"].items():
        for missed in r["missed"]:
            print(f"missed {kind}: {' / '.join(missed)}")
        for f in r["unplanted_findings"]:
            print(f"unplanted {kind}: {' / '.join(f['articles'])}: {f['message']} {f['detail'][:300]}")


if __name__ == "__main__":
    main()
