"""JSON request helpers for the playground's API: read and validate fields, and turn the desk's errors into the
status a page can show (400 names the field, 404, 409), never a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web

from bot.core.errors import Conflict, NotFound

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """The request cannot be acted on as sent; the message names the field to fix."""


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def json_errors(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequest as exc:
            return error(400, str(exc))
        except NotFound as exc:
            return error(404, str(exc))
        except Conflict as exc:
            return error(409, str(exc))
        except ValueError as exc:  # the desk's own input checks (empty reply, CSAT out of range)
            return error(400, str(exc))
        except web.HTTPException as exc:  # aiohttp's own answers (413 for a body over the size limit)
            return error(exc.status, exc.reason)
        except Exception:  # noqa: BLE001 - the page gets JSON it can show; the log gets the traceback
            log.exception("playground request failed: %s %s", request.method, request.path)
            return error(500, "internal error; see the server log")

    return wrapped


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("the request body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def field_text(body: dict[str, Any], name: str, *, limit: int, required: bool = False, default: str = "") -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"'{name}' is required")
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    value = value.strip()
    if required and not value:
        raise BadRequest(f"'{name}' must not be blank")
    if len(value) > limit:
        raise BadRequest(f"'{name}' is too long ({len(value)} characters; the limit is {limit})")
    return value or default


def field_id(body: dict[str, Any], name: str, pattern: re.Pattern[str], *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"'{name}' is required")
        return None
    if not isinstance(value, str) or not pattern.match(value):
        raise BadRequest(f"'{name}' must be 1-100 letters, digits, '-', '_', '.' or ':'")
    return value


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "anonymous"
