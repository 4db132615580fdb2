"""`POST /hooks/campaigns/<name>`: another system's event fires a campaign (MISSION §6: shipping delay, failed payment).

The caller authenticates with `Authorization: Bearer $FRONTDESK_WEBHOOK_TOKEN` (compared in constant time) and may
name the organisations the event concerns, `{"orgs": ["T0ACME"]}`; without it the campaign's own targeting applies.
Pilot share, holdout, opt-outs, frequency cap and quiet hours apply as on a scheduled run. The run happens before the
response, so the caller learns what was sent (a campaign to one organisation takes a second or two).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web

from bot.core.errors import FrontdeskError
from scheduler.campaigns import run_campaign
from scheduler.context import JobContext, JobHost

HOOK_KEY: web.AppKey[JobContext] = web.AppKey("frontdesk.hooks", JobContext)
TOKEN_KEY: web.AppKey[str] = web.AppKey("frontdesk.hooks.token", str)
MAX_ORGS = 1000


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _orgs(request: web.Request) -> list[str] | None:
    raw = await request.text()
    if not raw.strip():
        return None
    try:
        body: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not JSON ({exc.msg})") from None
    if not isinstance(body, dict) or set(body) - {"orgs"}:
        raise ValueError('the body must be an object with at most "orgs", e.g. {"orgs": ["T0ACME"]}')
    orgs = body.get("orgs")
    if orgs is None:
        return None
    if not isinstance(orgs, list) or not orgs or not all(isinstance(o, str) and o for o in orgs) or len(orgs) > MAX_ORGS:
        raise ValueError(f'"orgs" must be a non-empty list of organisation ids (at most {MAX_ORGS})')
    return orgs


async def fire_campaign(request: web.Request) -> web.Response:
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if not given or not hmac.compare_digest(given.encode(), request.app[TOKEN_KEY].encode()):
        return _error(401, "missing or wrong bearer token")
    ctx = request.app[HOOK_KEY]
    name = request.match_info["name"]
    if name not in ctx.campaigns:
        return _error(404, f"no campaign {name!r}; campaigns: {', '.join(sorted(ctx.campaigns)) or 'none configured'}")
    try:
        orgs = await _orgs(request)
    except ValueError as exc:
        return _error(400, str(exc))
    try:
        result = await run_campaign(ctx, name=name, orgs=orgs)
    except FrontdeskError as exc:
        return _error(503, str(exc))
    return web.json_response({"campaign": name, "result": result})


def mount(web_app: web.Application, host: JobHost, token: str, ctx: JobContext | None = None) -> None:
    if not token:
        raise ValueError("the campaign webhook needs a token")
    web_app[HOOK_KEY] = ctx or JobContext.of(host)
    web_app[TOKEN_KEY] = token
    web_app.router.add_post("/hooks/campaigns/{name}", fire_campaign)
