"""A Frontdesk server process for the crash and outage tests: the real web app (Slack over HTTP) on a database URL,
with the fake answerer and short worker intervals, so a test can kill -9 it and start it again.

Run: python -m tests.faults.server --port P --database URL --slack-api URL [--lease S]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from aiohttp import web

from adapters.server import PipelineTiming, build_web_app
from bot.bootstrap import bootstrap, channel_defaults
from bot.store.migrate import upgrade
from bot.store.sql import SqlStore
from tests.adapters.slack.conftest import FakeAnswerer, make_config, make_settings
from tests.adapters.slack.fake_slack import FakeSlack


async def serve(port: int, database: str, slack_api: str, data: Path, lease: float, shared_lock: bool = True) -> None:
    fake = FakeSlack(url=slack_api)  # only its URL: the real fake runs in the test process
    settings = make_settings(fake, data, database_url=database)
    config = make_config()
    await upgrade(database)
    store = SqlStore(database, channel_defaults(config, settings))
    store.lease = lease
    app = await bootstrap(
        settings, config=config, store=store, answerer=FakeAnswerer(), kb_languages=frozenset({"en"}), migrate=False
    )
    app.dispatcher.outbox.lease = lease
    if not shared_lock and app.dispatcher.locks.shared is not None:  # bench/replica_lock.py's baseline only
        await app.dispatcher.locks.shared.close()
        app.dispatcher.locks.shared = None
    timing = PipelineTiming(outbox_interval=0.2, sweep_interval=0.5, inbox_grace=1.0)
    runner = web.AppRunner(build_web_app(app, maintenance_interval=0, pipeline=timing))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--slack-api", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--no-shared-lock", action="store_true", help="the in-process lock only (a benchmark's baseline)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args.port, args.database, args.slack_api, args.data, args.lease, not args.no_shared_lock))


if __name__ == "__main__":
    main()
