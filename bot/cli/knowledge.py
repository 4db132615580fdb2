"""`frontdesk kb ingest|audit|promote` and `frontdesk eval`: the knowledge base from the command line.

The lead mounts `kb_app` as `frontdesk kb` and `eval_command` as `frontdesk eval`. Eval runs every question as a
fresh conversation in a customer channel, AI-first, through the full engine (policies included).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.output import fail as _fail
from bot.cli.output import heading, print_warning, say, table
from bot.core.errors import FrontdeskError

T = TypeVar("T")

kb_app = typer.Typer(help="Knowledge base: ingest, audit, promote.", no_args_is_help=True, rich_markup_mode=None)


def _settings(kb: Path | None = None) -> Any:
    from bot.settings import Settings

    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError on a malformed environment variable
        raise _fail(f"invalid environment setting: {exc}") from None
    return settings.model_copy(update={"kb_dir": kb}) if kb is not None else settings


def _open(settings: Any, *, ingest: bool = True) -> Any:
    import knowledge

    config = settings.load_config()
    return knowledge.open_knowledge(config.knowledge, settings.kb_dir, settings.ensure_data_dir(), ingest=ingest)


@kb_app.command("ingest", short_help="Validate and index a KB folder (incremental).")
def ingest(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The KB folder (Markdown, HTML, JSONL). Default: FRONTDESK_KB (examples/kb when unset).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate and index a KB folder; re-ingest only embeds articles whose content changed.

    The server reads FRONTDESK_KB, so ingesting any other folder builds an index the server will not use.
    """
    try:
        from knowledge.progress import ingest_with_progress

        settings = _settings(path)
        if path is None and not settings.kb_dir.is_dir():
            raise FrontdeskError(
                f"{settings.kb_dir}: knowledge base folder not found; pass one (frontdesk kb ingest PATH) "
                "or set FRONTDESK_KB"
            )
        kb = _open(settings, ingest=False)
        report = ingest_with_progress(kb)
    except FrontdeskError as exc:
        raise _fail(str(exc)) from None
    plural = "" if report.articles == 1 else "s"
    say(
        f"ingested {report.articles} article{plural} from {settings.kb_dir} (version {report.version}; languages "
        f"{', '.join(report.languages) or '-'}): {report.added} new, {report.updated} changed, "
        f"{report.removed} removed, {report.unchanged} unchanged; parsed {report.parsed} new or changed "
        f"file{'' if report.parsed == 1 else 's'}"
    )
    if report.articles == 0:
        print_warning(
            f"{settings.kb_dir} holds no articles (.md, .html, .rst or .jsonl files): every question will go to a person"
        )
    from knowledge.embeddings import embedder_advice

    known = sum(len(a.questions) for a in kb._stored.articles)
    if advice := embedder_advice(kb.config.embedder, report.articles, known):
        say(advice)


@kb_app.command("audit", short_help="Invalid files, duplicates, conflicts, stale articles, tags, citations.")
def audit(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    kb: Annotated[Path | None, typer.Option("--kb", help="KB folder (default: FRONTDESK_KB).")] = None,
) -> None:
    """Every problem at once: files ingest refuses, duplicates, conflicting facts, stale articles, bad tags,
    pages that are mostly markup, audience gaps, never-cited articles."""
    from knowledge.audit import run_audit

    try:
        settings = _settings(kb)
        base = _open(settings, ingest=False)
        refused: list[str] = []  # files ingest refuses are findings here, not the end of the audit
        base.ingest(problems=refused)
        stats, missing = asyncio.run(_stats(settings))
        stored = base._stored
        report = run_audit(
            stored.articles,
            stored.vectors,
            stored.kinds,
            today=date.today(),
            review_days=base.config.review_days,
            duplicate_threshold=base.config.duplicate_threshold,
            allowed_tags=base.config.allowed_tags,
            stats=stats,
            refused=refused,
        )
    except FrontdeskError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    _print_audit(report, missing)


async def _stats(settings: Any) -> tuple[Any, str]:
    """Per-article performance from the store, or None and the line to print instead (nothing recorded yet, or a
    database this version cannot read)."""
    from knowledge.audit import stats_from_records

    async def read(store: Any) -> Any:
        decisions = await store.decisions()
        return stats_from_records(decisions, await store.feedback()) if decisions else None

    stats, readable = await _read_recorded(settings, settings.load_config(), "per-article performance", read)
    if not readable:
        return None, LEFT_OUT
    return (stats, "") if stats is not None else (None, NOTHING_RECORDED)


async def _read_recorded(
    settings: Any, config: Any, what: str, read: Callable[[Any], Awaitable[T]]
) -> tuple[T | None, bool]:
    """`read(store)` on the server's recorded history, opened as it is (never migrated from a read-only command).

    Returns (None, True) when nothing is recorded yet (no SQLite file), and (None, False) after a warning naming
    `what` when the database cannot be read: a schema this version does not know (say how to upgrade rather than
    fail on the new columns), or a foreign database. The command itself goes on without it."""
    from bot.bootstrap import open_store
    from bot.store.migrate import current, head

    url = settings.resolved_database_url
    if url.startswith("sqlite") and not (settings.data_dir / "frontdesk.db").exists():
        return None, True
    try:
        schema = await current(url)
        if schema != head():
            print_warning(
                f"{what} left out: the database schema is {schema or 'empty'}, this version needs {head()}; "
                "run `frontdesk db upgrade` (or start the server once)"
            )
            return None, False
        store = await open_store(settings, config, migrate=False)
    except FrontdeskError as exc:
        print_warning(f"{what} left out: {exc}")
        return None, False
    try:
        return await read(store), True
    except Exception as exc:  # a foreign database: the command still works without this part
        print_warning(f"{what} left out: the database could not be read ({type(exc).__name__})")
        return None, False
    finally:
        await _close(store)


async def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        await close()


@kb_app.command("promote", short_help="Undo an article's demotion by feedback.")
def promote(
    article_id: Annotated[str, typer.Argument(help="The demoted article's id (`/frontdesk status` lists them).")],
) -> None:
    """Undo the demotion of an article: its votes so far are set aside and new ones count from now.

    Recorded in the admin log. A running server picks the change up at its next recount ([demotion] refresh_minutes);
    `/frontdesk promote` in Slack applies it at once.
    """
    try:
        settings = _settings()
        demotion = asyncio.run(_promote(settings, article_id))
    except FrontdeskError as exc:
        raise _fail(str(exc)) from None
    say(
        f"promoted {demotion.article_id}: it was demoted with {demotion.helpful}/{demotion.rated} helpful answers in "
        f"{demotion.window_days} days; new votes count from now"
    )


async def _promote(settings: Any, article_id: str) -> Any:
    from bot.bootstrap import open_store
    from bot.orchestration.demotion import promote as promote_article

    config = settings.load_config()
    store = await open_store(settings, config)
    try:
        return await promote_article(store, config.demotion, article_id, CLI_ACTOR, datetime.now(UTC))
    finally:
        await _close(store)


async def recorded_demotions(settings: Any, config: Any) -> dict[str, Any]:
    """The articles the server would treat as demoted, from the recorded history (`frontdesk ask` applies them, so
    it shows what the server would do). Empty when nothing is recorded; a warning when the database cannot be read."""
    from bot.orchestration.demotion import compute

    if not config.demotion.enabled:
        return {}

    async def read(store: Any) -> list[Any]:
        return await compute(store, config.demotion, datetime.now(UTC))

    demoted, _ = await _read_recorded(settings, config, "demoted articles", read)
    return {d.article_id: d for d in demoted or ()}


CLI_ACTOR = "cli"  # who the admin log names for changes made with the command line


NOTHING_RECORDED = "Per-article performance: no answers recorded yet."
LEFT_OUT = "Per-article performance: left out (see the warning)."


def _print_audit(report: Any, missing: str = NOTHING_RECORDED) -> None:
    counts = report.counts()
    heading(f"KB audit: {report.articles} articles, {len(report.findings)} findings")
    titles = {
        "invalid": "Files ingest refuses",
        "conflict": "Conflicting facts",
        "duplicate": "Near-duplicates",
        "audience": "Audience",
        "stale": "Stale",
        "metadata": "Tags and metadata",
        "markup": "Mostly markup",
        "never_cited": "Never cited",
    }
    for kind, title in titles.items():
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        say()
        heading(f"{title} ({counts[kind]})")
        for f in items[:50]:
            for line in _finding_lines(f.severity, f.articles, f.message, f.detail):
                say(line)
        if len(items) > 50:
            say(f"  … and {len(items) - 50} more (use --json for all)")
    say()
    if report.stats is None:
        say(missing)
        return
    heading("Per-article performance")
    rows = []
    for art, s in sorted(report.stats.items(), key=lambda kv: -kv[1].cited)[:30]:
        rate = "-" if s.helpful_rate is None else f"{s.helpful_rate:.0%}"
        rows.append([str(s.cited), rate, str(s.escalations_after), str(s.rewrites_after), art])
    for line in table(["cited", "helpful", "escalated after", "rewritten after", "article"], rows, right=(0, 1, 2, 3)):
        say(line)


def _finding_lines(severity: str, articles: Any, message: str, detail: str) -> list[str]:
    """One finding: a single article id leads its line; several go one per line under the message.

    Long comma-joined id lists wrapped mid-id in narrow terminals and were hard to copy; one id per line is
    readable at any width and greps cleanly.
    """
    ids = list(articles)
    if len(ids) == 1:
        lines = [f"  [{severity}] {ids[0]}: {message}"]
    else:
        lines = [f"  [{severity}] {message}", *(f"      - {article}" for article in ids)]
    if detail:
        lines.append(f"      {detail}")
    return lines


def eval_command(
    kb: Annotated[Path, typer.Option("--kb", help="The KB folder to test.")],
    questions: Annotated[Path, typer.Option("--questions", help="JSONL: {id, text, expected, language?, answer_contains?} per line.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write one JSON line per question here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    calibration: Annotated[
        str | None,
        typer.Option(
            "--calibration",
            help="'global' (fitted on every KB shape), 'self' (fitted per KB at ingest) or 'params' (the parameters file alone). Default: the config's.",
        ),
    ] = None,
) -> None:
    """Run every question through the full engine as a new customer conversation and score the KB."""
    from knowledge.evaluation import load_questions, summarize

    if out is not None:
        try:  # fail before running every question, not after
            out.parent.mkdir(parents=True, exist_ok=True)
            out.touch()
        except OSError as exc:
            why = f"{out.parent} is a file" if out.parent.is_file() else exc.strerror
            raise _fail(f"--out {out}: cannot write there ({why})") from None
    try:
        qs = load_questions(questions)
        settings = _settings(kb)
        if calibration not in (None, "global", "self", "params"):
            raise FrontdeskError(f"--calibration {calibration}: must be 'global', 'self' or 'params'")
        rows, threshold, note = asyncio.run(_run_engine(settings, qs, calibration))
    except FrontdeskError as exc:
        raise _fail(str(exc)) from None
    if out is not None:
        out.write_text("".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    summary = summarize(qs, rows, threshold)
    summary["calibration"] = note
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    heading(f"frontdesk eval: {len(qs)} questions, {kb}")
    labels = {
        "top1_accuracy": "top-1 accuracy (answerable)",
        "answer_rate": "answer rate",
        "answer_rate_answerable": "answer rate (answerable)",
        "resolved_rate": "resolved: answered with the right article (answerable)",
        "escalation_recall": "escalation recall (expected: null)",
        "confident_wrong_rate": "confident-wrong (share of answered)",
        "answer_contains_rate": "answers quoting the expected fact (answer_contains)",
        "precision_at_threshold": f"right when confidence ≥ {threshold:.2f}",
        "ece": "expected calibration error",
    }
    rows = [[label, "-" if summary[key] is None else f"{summary[key]:.3f}"] for key, label in labels.items()]
    for line in table(["measure", "value"], rows, right=(1,)):
        say(line)
    say(f"confidence: {note}")
    say("decisions: " + ", ".join(f"{k} {v}" for k, v in summary["decisions"].items()))
    if summary["policy_replies"]:
        say(f"of the answers, {summary['policy_replies']} cite no article (greetings, clarifying questions): not counted")


async def _run_engine(settings: Any, qs: Any, calibration: str | None = None) -> tuple[list[Any], float, str]:
    """Each question in its own thread of an AI-first customer channel, on a throwaway in-memory store; with the
    sentence saying which calibration the confidence used."""
    from bot.bootstrap import bootstrap, channel_defaults
    from bot.core.types import Actor, Address, Inbound, Mode, Platform
    from bot.orchestration.summary import describe
    from bot.store.memory import MemoryStore
    from knowledge.evaluation import EvalRow

    config = settings.load_config()
    if calibration is not None:
        config = config.model_copy(
            update={"knowledge": config.knowledge.model_copy(update={"calibration": calibration})}
        )
    defaults = replace(channel_defaults(config, settings), mode=Mode.AI_FIRST, approval_days=0, ai_share=1.0)
    app = await bootstrap(settings, config=config, store=MemoryStore(defaults))
    rows = []
    try:
        for q in qs:
            thread = uuid.uuid4().hex
            inbound = Inbound(
                message_id=f"eval-{thread}",
                address=Address(Platform.WEB, "eval", "eval-customers", thread),
                author=Actor(f"eval-{q.id}", "Customer", "eval", is_external=True),
                text=q.text,
                received_at=datetime.now(UTC),
                language=q.language,
            )
            decision = await app.dispatcher.submit(inbound)
            d = describe(decision) if decision is not None else {}
            rows.append(
                EvalRow(
                    id=q.id,
                    decision=d.get("decision", "ignore"),
                    reason=d.get("reason", "duplicate"),
                    confidence=d.get("confidence"),
                    articles=tuple(a["id"] for a in d.get("articles", [])),
                    reply=d.get("reply", ""),
                )
            )
        note_of = getattr(app.knowledge, "calibration_note", None)
        note = note_of() if callable(note_of) else "the answerer's own"
    finally:
        await app.close()
    return rows, defaults.threshold, note
