"""A rich progress bar around `KnowledgeBase.ingest` for long runs (shown on stderr, only for big folders)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from knowledge.ingest import kb_files

if TYPE_CHECKING:
    from knowledge.base import IngestReport, KnowledgeBase

MIN_FILES = 200  # below this an ingest takes about a second; a bar would only flicker


def ingest_with_progress(kb: KnowledgeBase, *, force: bool = False) -> IngestReport:
    total = len(kb_files(kb.kb_dir))
    if total < MIN_FILES and not force:
        return kb.ingest()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("reading articles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("ingest", total=total)
        report = kb.ingest(progress=lambda n: bar.advance(task, n))
    return report
