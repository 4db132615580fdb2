"""Wiring: the Web API client, the bolt AsyncApp, the HTTP route or Socket Mode, and the core's ports.

Everything Slack needs is built here from `Settings` and `Config`, once per server, and kept on the aiohttp app
under `SLACK_KEY` (no module-level singletons).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.commands import Commands
from adapters.slack.directory import Directory
from adapters.slack.host import Host, SlackOptions
from adapters.slack.listeners import SlackListeners
from adapters.slack.outbound import SlackAgentDesk, SlackOutbox
from adapters.slack.tasks import BackgroundTasks
from bot.core.errors import ConfigError
from bot.core.types import Platform
from bot.orchestration.delivery import describe

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 1  # one short wait inside the client; longer outages are the outbox worker's retries
PROBE_SECONDS = 30.0
TIMEOUT = 10  # seconds per Web API call: a hung call becomes a retry rather than a stuck worker


def web_client(options: SlackOptions) -> AsyncWebClient:
    """The one Web API client: SLACK_API_URL as base_url (proxies, tests) and retries that wait out 429s."""
    if not options.bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required for Slack (a bot token, xoxb-…)")
    base_url = options.api_url or AsyncWebClient.BASE_URL
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=options.bot_token,
        base_url=base_url,
        timeout=TIMEOUT,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def payload_problem(content_type: str, body: str) -> str:
    """Why a signed body is not something Slack sends ("" when it is): bolt would otherwise fail on it with a 500."""
    try:
        if content_type == "application/json":
            data = json.loads(body)
        elif content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True, max_num_fields=1000)
            if "payload" not in form:
                return "" if form else "an empty form"
            data = json.loads(form["payload"][0])
        else:
            return f"content type {content_type or 'none'} is not one Slack sends (JSON or a form)"
    except (ValueError, RecursionError):
        return "the body is not valid JSON"
    return "" if isinstance(data, dict) else "the payload is not a JSON object"


@dataclass(slots=True)
class SlackRuntime:
    app: Host
    options: SlackOptions
    client: AsyncWebClient
    bolt: AsyncApp
    tasks: BackgroundTasks
    outbox: SlackOutbox
    agents: SlackAgentDesk
    directory: Directory
    socket: AsyncSocketModeHandler | None = None
    _probed: tuple[bool, float] = (False, float("-inf"))

    # -- HTTP -----------------------------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        if self.options.signing_secret is None:
            return web.Response(status=404, text="HTTP events are off (Socket Mode without SLACK_SIGNING_SECRET)")
        refused = await self.refuse(request, self.options.signing_secret)
        if refused is not None:
            return refused
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            # Not short-circuited: the first attempt may have died before recording anything. The store's unique
            # delivery key is what keeps a retry from producing a second reply.
            log.info("Slack retry %s (%s)", retry, request.headers.get("X-Slack-Retry-Reason", ""))
        try:
            bolt_response = await self.bolt.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # noqa: BLE001 - a signed payload no listener can read: a clear 400, not a 500
            log.error("could not handle a signed Slack payload: %s", describe(exc))
            return web.Response(status=400, text="this Slack payload could not be read")
        return await to_aiohttp_response(bolt_response)

    @staticmethod
    async def refuse(request: web.Request, secret: str) -> web.Response | None:
        """Checks bolt would make, made first so that bad input is a short 4xx and one log line: never the body in
        the log (an unsigned 2 MB body must not grow it by 2 MB), never a 500 for a malformed header."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not signature.isascii():
            log.warning("refused a Slack request without a valid timestamp or signature header")
            return web.Response(status=401, text="missing or malformed Slack signature headers")
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            body = ""
        if not body or not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
            log.warning("refused a Slack request with a wrong or expired signature (%d bytes)", len(raw))
            return web.Response(status=401, text="invalid Slack signature")
        problem = payload_problem(request.content_type, body)
        if problem:
            log.warning("refused a signed Slack request: %s", problem)
            return web.Response(status=415 if "content type" in problem else 400, text=problem)
        return None

    async def reachable(self) -> bool:
        """For /readyz: the Web API answers auth.test (checked at most every `PROBE_SECONDS`)."""
        now = time.monotonic()
        if now - self._probed[1] < PROBE_SECONDS:
            return self._probed[0]
        try:
            ok = bool((await self.client.auth_test()).get("ok"))
        except Exception as exc:  # noqa: BLE001 - unreachable is an answer, not an error
            log.warning("Slack auth.test failed: %s", describe(exc))
            ok = False
        self._probed = (ok, now)
        return ok

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self, _: web.Application) -> None:
        if self.client.session is None:
            # One connection pool for every Web API call: without it slack_sdk opens (and closes) a connection per
            # call, which under a burst costs a TLS handshake per reply and card. The timeout is the session's,
            # since slack_sdk applies its own only to the sessions it makes itself.
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        if self.socket is not None:
            await self.socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")

    async def stop(self, _: web.Application) -> None:
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
        await self.tasks.drain(timeout=10.0)
        session, self.client.session = self.client.session, None
        if session is not None:
            await session.close()


SLACK_KEY: web.AppKey[SlackRuntime] = web.AppKey("frontdesk.slack", SlackRuntime)


def build_runtime(app: Host) -> SlackRuntime:
    options = SlackOptions.of(app)
    secret, app_token = options.signing_secret, options.app_token
    if app_token is None and secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)")
    if not (options.agents_channel or options.team_channels):
        raise ConfigError(
            "Slack needs an agents channel for handoff cards: set FRONTDESK_AGENTS_CHANNEL (a channel id) "
            "or [slack] agents_channel / [teams.<name>] channel in frontdesk.toml"
        )
    client = web_client(options)
    bolt = AsyncApp(
        client=client,
        signing_secret=secret,
        request_verification_enabled=secret is not None,
        # Listeners finish before the HTTP answer: a message is acknowledged only once it is in the inbox, and a
        # failure to record it answers 503 so Slack retries. Slow work is spawned by the listeners themselves.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        name="frontdesk",
    )
    tasks = BackgroundTasks()
    directory = Directory(options, app.store, client)
    commands = Commands(app, directory.is_admin, kb_dir=options.kb_dir)
    listeners = SlackListeners(
        app, client, tasks, commands, directory.agents_channels, directory.is_agent, directory.is_guest
    )
    listeners.register(bolt)
    socket = AsyncSocketModeHandler(bolt, app_token, web_client=client) if app_token is not None else None
    agents = SlackAgentDesk(client, directory.channel_for, options.admins, options.agents_channel)
    return SlackRuntime(app, options, client, bolt, tasks, SlackOutbox(client), agents, directory, socket)


def mount(web_app: web.Application, app: Host) -> SlackRuntime:
    """Add `POST /slack/events`, register the Slack outbox and agent desk, and run Socket Mode with the server."""
    runtime = build_runtime(app)
    web_app[SLACK_KEY] = runtime
    web_app.router.add_post("/slack/events", runtime.handle_http)
    app.outboxes[Platform.SLACK] = runtime.outbox
    app.desks[Platform.SLACK] = runtime.agents
    app.probes["slack"] = runtime.reachable
    web_app.on_startup.append(runtime.start)
    web_app.on_cleanup.append(runtime.stop)
    return runtime
