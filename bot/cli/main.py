"""The `frontdesk` command: serve, ask, db, kb, eval, report.

User errors (bad config, bad KB files, bad arguments) print one line that says what to fix and exit non-zero;
tracebacks are for bugs only.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import re
import signal
import socket
import sys
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import wraps
from importlib.metadata import version as package_version
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.knowledge import eval_command, kb_app
from bot.cli.output import USAGE_ERROR, fail, heading, print_error, say
from bot.cli.report import report_command
from bot.cli.teams import teams_app
from bot.core.errors import FrontdeskError
from bot.core.types import Actor, Address, Inbound, Mode, Platform
from bot.orchestration.summary import describe
from bot.settings import Settings

app = typer.Typer(
    name="frontdesk",
    help="Frontdesk: an open-source AI support desk for Slack Connect and Microsoft Teams.",
    no_args_is_help=True,
    # Plain click help and one-line usage errors: rich's boxes garble pipes, logs and narrow consoles.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(teams_app, name="teams")


def _show_version(value: bool) -> None:
    if value:
        say(f"frontdesk {package_version('frontdesk')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Frontdesk: an open-source AI support desk for Slack Connect and Microsoft Teams."""

T = TypeVar("T")


def run_async(fn: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    """Run an async command; a `FrontdeskError` becomes a one-line message and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except FrontdeskError as exc:
            raise fail(str(exc)) from None

    return wrapper


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError on a malformed environment variable
        raise fail(f"invalid environment setting: {exc}") from None


@app.command(short_help="Run the server: the playground at /ui, Slack, Teams, /healthz.")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default from config: 127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (default from config: 8080; 0 picks a free one).")
    ] = None,
    check_port: Annotated[
        bool, typer.Option("--check-port", hidden=True, help="Only check that the address is free, then exit.")
    ] = False,
    make_hint: Annotated[
        bool, typer.Option("--make-hint", hidden=True, help="Started by `make run`: hint PORT= instead of --port.")
    ] = False,
) -> None:
    """Run the server: the playground at /ui, Slack at /slack/events, health at /healthz."""
    if check_port:
        # `make run` asks this before the slow steps (migrate, ingest, model loading): a busy port fails in a second.
        settings = _settings()
        cfg = settings.load_config().server
        where = (host or cfg.host, cfg.port if port is None else port)
        problem = port_problem(*where, hint=port_hint(where[1], make=make_hint))
        if problem:
            raise fail(f"cannot listen on {where[0]}:{where[1]}: {problem}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("faiss.loader", "alembic", "aiohttp.access"):
        # Library start-up chatter (CPU feature probing, migration plumbing, one line per request) buries our own.
        logging.getLogger(noisy).setLevel(logging.WARNING)
    run_async(_serve)(host, port, make_hint)


async def _serve(host: str | None, port: int | None, make_hint: bool = False) -> None:
    from aiohttp import web

    from adapters.server import build_web_app, open_dashboard_listener
    from bot.bootstrap import bootstrap

    settings = _settings()
    # The first start indexes the knowledge base, which takes a while on a small machine: say so, not silence.
    say(f"Starting Frontdesk: knowledge base {settings.kb_dir}, data in {settings.data_dir} …")
    app_ = await bootstrap(settings)
    cfg = app_.config.server
    where = (host or cfg.host, cfg.port if port is None else port)
    web_app = build_web_app(app_, listen_host=where[0])
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, *where)
    try:
        await site.start()
    except (OSError, OverflowError) as exc:
        await runner.cleanup()
        await app_.close()
        raise FrontdeskError(f"cannot listen on {where[0]}:{where[1]}: {_bind_problem(exc, port_hint(where[1], make=make_hint))}") from None
    host, port = runner.addresses[0][:2]
    own = await open_dashboard_listener(runner, web_app, cfg.dashboard_port) if cfg.dashboard else ""
    say(running_line(host, port, playground=cfg.playground, dashboard=cfg.dashboard, dashboard_url=own))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def running_line(
    host: str, port: int, *, playground: bool = True, dashboard: bool = False, dashboard_url: str = ""
) -> str:
    """What `serve` prints once listening; a wildcard host is where it listens, not an address a browser opens.
    `dashboard_url`: the dashboard's own loopback listener, when it has one (no token, not on the main port)."""
    everywhere = host in ("0.0.0.0", "::")
    shown = "127.0.0.1" if everywhere else f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    also = "; listening on every interface" if everywhere else ""
    pages = [f"Playground: {url}/ui"] if playground else []
    if dashboard:
        pages.append(f"leads' dashboard: {dashboard_url or url + '/dashboard'}{' (this machine only)' if dashboard_url else ''}")
    return f"Frontdesk is running. {', '.join(pages) or 'No web pages'}  (health: {url}/healthz{also})"


def port_hint(port: int, *, make: bool) -> str:
    """How this user picks another port: `make run PORT=…` when make started the server, else --port."""
    return f"make run PORT={port + 1 if 0 < port < 65535 else 8081}" if make else "--port"


def port_problem(host: str, port: int, *, hint: str = "--port") -> str:
    """Why the server could not listen on (host, port), or "" when it could: bound and released at once, with the
    same address reuse the server itself uses, so a port in TIME_WAIT is not reported as busy."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        return _bind_problem(exc if isinstance(exc, OSError) else OSError(str(exc)), hint)
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            if hasattr(socket, "SO_REUSEADDR"):
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except (OSError, OverflowError) as exc:
                return _bind_problem(exc, hint)
    return ""


def _bind_problem(exc: BaseException, hint: str = "--port") -> str:
    """Why the server could not listen, and what to do (`hint`: how this user chooses a port, --port or
    `make run PORT=8081`): asyncio's own message repeats the address."""
    code = getattr(exc, "errno", None)
    if code == errno.EADDRINUSE:
        return f"the port is in use (another Frontdesk running?); stop it or choose another with {hint}"
    if code == errno.EADDRNOTAVAIL:
        return "no network interface of this machine has that address; use --host 127.0.0.1 or 0.0.0.0"
    if code == errno.EACCES:
        return f"permission denied (ports below 1024 need privileges); choose a port above 1024 with {hint}"
    if isinstance(exc, OverflowError):
        return "the port must be 0-65535"
    return " ".join(str(getattr(exc, "strerror", None) or exc).split())


@app.command(short_help="Show what Frontdesk would do with one customer message.")
def ask(
    message: Annotated[str, typer.Argument(help="What a customer writes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    language: Annotated[str | None, typer.Option(help="Force the message language (default: detected).")] = None,
    mode: Annotated[
        str, typer.Option(help=f"Collaboration mode to simulate: {', '.join(m.value for m in Mode)}.")
    ] = "ai-first",
) -> None:
    """Send one customer message through the full engine and show what Frontdesk would do."""
    if not message.strip():
        raise fail("the message is empty: pass the customer's text, e.g. frontdesk ask \"How do I reset my password?\"")
    try:
        chosen = Mode(mode)
    except ValueError:
        raise fail(f"unknown mode {mode!r}: use one of {', '.join(m.value for m in Mode)}") from None
    if language is not None:
        language = language.strip().lower()
        if not re.fullmatch(r"[a-z]{2}", language):
            raise fail(f"--language {language!r}: use a two-letter ISO 639-1 code, e.g. en, de, es")
    result = run_async(_ask)(message, language, chosen)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    confidence = "" if result["confidence"] is None else f", confidence {result['confidence']:.2f}"
    heading(f"{result['decision']} ({result['reason']}{confidence})")
    if result["reply"]:
        say(result["reply"])
    for article in result["articles"][:3]:
        say(f"  · {article['id']}: {article['title']} ({article['score']:.3f})")


async def _ask(message: str, language: str | None, mode: Mode) -> dict[str, Any]:
    """A fresh conversation in a throwaway in-memory store, so probing never pollutes the real metrics; articles
    demoted by the recorded feedback are demoted here too."""
    from bot.bootstrap import bootstrap, channel_defaults
    from bot.cli.knowledge import recorded_demotions
    from bot.store.memory import MemoryStore

    settings = _settings()
    config = settings.load_config()
    store = MemoryStore(channel_defaults(config, settings))
    app_ = await bootstrap(settings, config=config, store=store)
    demoted = await recorded_demotions(settings, config)  # feedback demotes articles: answer as the server would
    app_.engine.demotions = lambda: demoted
    try:
        thread = uuid.uuid4().hex
        address = Address(Platform.WEB, "cli", "cli", thread)
        await store.set_channel(address, mode=mode)
        inbound = Inbound(
            message_id=thread,
            address=address,
            author=Actor("cli-customer", "Customer", "cli", is_external=True),
            text=message,
            received_at=datetime.now(UTC),
            language=language,
        )
        decision = await app_.dispatcher.submit(inbound)
    finally:
        await app_.close()
    assert decision is not None
    return describe(decision)


# Listed after serve and ask in `frontdesk --help`, in the order a new user needs them.
app.command("eval", short_help="Score a knowledge base against a file of real questions.")(eval_command)
app.command("report", short_help="Metrics: AI resolution, deflection, CSAT, overrides, cost.")(report_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version (DATABASE_URL, else SQLite in the data dir)."""
    where, before, after = run_async(_db_upgrade)()
    changes = {after: "already up to date", None: "created"}
    change = changes.get(before, f"upgraded from {before}")
    say(f"database {where} at revision {after} ({change})")


async def _db_upgrade() -> tuple[str, str | None, str]:
    """(the database, password hidden; its revision before; after): admins see which database they migrated."""
    from bot.store.migrate import current, upgrade
    from bot.store.urls import redact

    settings = _settings()
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
    before = await current(url)
    return redact(url), before, await upgrade(url)


def main() -> None:
    try:
        app()
    except FrontdeskError as exc:
        print_error(str(exc))
        sys.exit(USAGE_ERROR)
