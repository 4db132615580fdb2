"""Wiring: botbuilder's CloudAdapter and authentication, `POST /api/messages`, and the core's ports for Teams.

The endpoint reads the request itself rather than through `CloudAdapter.process`, to work around botbuilder
4.17.1's defects: a missing Content-Type header raises KeyError (a 500), a bad token can escape as a non-
PermissionError (a 500), and an invoke response whose body is a dict crashes its serializer ("'dict' object has no
attribute 'is_xml_model'"). Here: not JSON → 415/400, any authentication failure → 401, and the invoke response
body is written as JSON by hand.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import BotFrameworkAuthentication

from adapters.teams.auth import Unauthorized, authenticate, authentication, warm
from adapters.teams.bot import TeamsBot
from adapters.teams.commands import dialect
from adapters.teams.connector import Connector, close_client
from adapters.teams.directory import Directory
from adapters.teams.options import TeamsOptions
from adapters.teams.outbound import Courier, TeamsAgentDesk, TeamsOutbox
from adapters.teams.references import References
from bot.core.types import Platform
from bot.orchestration.admin import Commands
from bot.orchestration.host import Host
from bot.orchestration.tasks import BackgroundTasks

log = logging.getLogger(__name__)

RAW: ContextVar[dict[str, Any] | None] = ContextVar("teams_activity", default=None)


@dataclass(slots=True)
class TeamsRuntime:
    app: Host
    options: TeamsOptions
    auth: BotFrameworkAuthentication
    adapter: CloudAdapter
    bot: TeamsBot
    tasks: BackgroundTasks
    outbox: TeamsOutbox
    agents: TeamsAgentDesk
    references: References
    names: dict[str, str] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected a Bot Framework activity as application/json"}, status=415)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(body, dict) or not body.get("type"):
            return web.json_response({"error": "the body is not a Bot Framework activity (no type)"}, status=400)
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest's deserialiser raises several kinds
            return web.json_response({"error": "the activity could not be read"}, status=400)
        try:
            header = request.headers.get("Authorization", "")
            # A header is checked even in anonymous mode (the Emulator may send one): then off the loop too.
            result = await authenticate(self.auth, activity, header, anonymous=self.options.anonymous and not header)
        except Unauthorized as exc:
            log.warning("Teams: rejected a request to /api/messages: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        token = RAW.set(body)
        try:
            invoke = await self.adapter.process_activity(result, activity, self.on_turn)
        finally:
            RAW.reset(token)
        if isinstance(invoke, InvokeResponse):
            # Built by hand: botbuilder 4.17.1's serializer_helper crashes on a plain dict body.
            return web.Response(status=invoke.status or 200, text=json.dumps(invoke.body or {}), content_type="application/json")
        return web.Response(status=200 if activity.type == "invoke" else 201)

    async def on_turn(self, turn: TurnContext) -> None:
        # The request's own JSON: msrest's Activity model drops what it does not declare (a mention's `mentioned`).
        activity: dict[str, Any] = RAW.get() or turn.activity.serialize()
        try:
            await self.bot.learn(activity)
            if activity.get("type") == "invoke":
                status, body = await self.bot.on_invoke(activity)
                await turn.send_activity(Activity(type="invokeResponse", value=InvokeResponse(status=status, body=body)))
            elif activity.get("type") == "message":
                await self.bot.on_message(activity)
            elif activity.get("type") == "conversationUpdate":
                await self._conversation_update(activity)
        finally:
            await close_client(turn)  # replies go through `Connector`, never through this turn's client

    async def _conversation_update(self, activity: dict[str, Any]) -> None:
        event = str((activity.get("channelData") or {}).get("eventType") or "")
        bot_id = str((activity.get("recipient") or {}).get("id") or "")
        removed = any(str(m.get("id")) == bot_id for m in activity.get("membersRemoved") or [])
        if event == "channelDeleted" or removed:
            channel = ((activity.get("channelData") or {}).get("channel") or {}).get("id")
            target = str(channel or (activity.get("conversation") or {}).get("id") or "")
            await self.references.forget(target)
            log.info("Teams: forgot %s (%s)", target, event or "bot removed")

    async def start(self, _: web.Application) -> None:
        if self.options.anonymous:
            log.warning(
                "Teams: MICROSOFT_APP_ID is not set, so /api/messages runs in the Bot Framework Emulator's anonymous "
                "mode: no token is checked or sent. For local development and tests only."
            )
        await warm(self.options)

    async def stop(self, _: web.Application) -> None:
        await self.tasks.drain(timeout=10.0)


TEAMS_KEY: web.AppKey[TeamsRuntime] = web.AppKey("frontdesk.teams", TeamsRuntime)


async def _turn_error(turn: TurnContext, error: Exception) -> None:
    log.error("Teams turn failed: %s", error, exc_info=error)


def build_runtime(app: Host) -> TeamsRuntime:
    options = TeamsOptions.of(app)
    auth = authentication(options)
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = _turn_error
    references = References(app.store)
    courier = Courier(Connector(adapter, options.app_id), references, options.admins)
    directory = Directory(options, app.store)
    names: dict[str, str] = {}
    channel_names: dict[str, str] = {}
    commands = Commands(app, dialect(channel_names), directory.is_admin, kb_dir=options.kb_dir)
    tasks = BackgroundTasks()
    bot = TeamsBot(app, options.tenant_id, references, courier, directory, commands, tasks, names, channel_names)
    agents = TeamsAgentDesk(courier, directory.channel_for, names)
    return TeamsRuntime(app, options, auth, adapter, bot, tasks, TeamsOutbox(courier), agents, references, names)


def mount(web_app: web.Application, app: Host) -> TeamsRuntime:
    """Add `POST /api/messages` and register the Teams outbox and agent desk with the core."""
    runtime = build_runtime(app)
    web_app[TEAMS_KEY] = runtime
    web_app.router.add_post("/api/messages", runtime.handle)
    app.outboxes[Platform.TEAMS] = runtime.outbox
    app.desks[Platform.TEAMS] = runtime.agents
    web_app.on_startup.append(runtime.start)
    web_app.on_cleanup.append(runtime.stop)
    return runtime
