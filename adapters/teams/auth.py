"""Who may POST to /api/messages: botbuilder's channel-token validation, guarded against its 4.17.1 defects.

botbuilder 4.17.1 (the final release) validates the `Authorization` header against the OpenID metadata and key set
it fetches with a blocking `requests.get`, and some failures (a key id missing from the key set, a malformed token)
escape as IndexError / jwt errors rather than `PermissionError`. So validation runs here, in a worker thread with its
own event loop (the blocking fetch never stalls the server), and *every* failure becomes `Unauthorized` (a 401).
The metadata is also warmed at start, so the first customer message does not pay for the fetch.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    JwtTokenExtractor,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants

from adapters.teams.options import TeamsOptions

log = logging.getLogger(__name__)


class Unauthorized(Exception):
    """The request's token did not prove it came from the Bot Framework for this bot; the reason is logged only."""


def authentication(options: TeamsOptions) -> BotFrameworkAuthentication:
    return ConfigurationBotFrameworkAuthentication(options.bot_configuration())


def _run(auth: BotFrameworkAuthentication, activity: Activity, header: str) -> AuthenticateRequestResult:
    result: AuthenticateRequestResult = asyncio.run(auth.authenticate_request(activity, header))
    return result


async def authenticate(
    auth: BotFrameworkAuthentication, activity: Activity, header: str, *, anonymous: bool = False
) -> AuthenticateRequestResult:
    """Validate off the event loop; any failure at all is `Unauthorized`, never an unhandled error (a 500).
    In anonymous mode nothing is fetched or checked, so it stays on the loop (no thread hop per message)."""
    try:
        if anonymous:
            result: AuthenticateRequestResult = await auth.authenticate_request(activity, header)
            return result
        return await asyncio.to_thread(_run, auth, activity, header)
    except Exception as exc:  # noqa: BLE001 - botbuilder raises many kinds for one meaning: not authenticated
        raise Unauthorized(f"{type(exc).__name__}: {exc}") from None


def metadata_url(options: TeamsOptions) -> str:
    if options.openid_metadata_url:
        return str(options.openid_metadata_url)
    return str(AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)


def _warm(url: str) -> None:
    metadata: Any = JwtTokenExtractor.get_open_id_metadata(url)
    asyncio.run(metadata._refresh())  # noqa: SLF001 - the SDK's own cache, filled ahead of the first request


async def warm(options: TeamsOptions) -> None:
    """Fetch the OpenID metadata and key set once at start (in a thread); a failure is logged, retried on demand."""
    if options.anonymous:
        return
    url = metadata_url(options)
    try:
        await asyncio.to_thread(_warm, url)
        log.info("Teams: Bot Framework signing keys loaded from %s", url)
    except Exception as exc:  # noqa: BLE001 - the first request retries the fetch
        log.warning("Teams: could not load the Bot Framework signing keys from %s yet (%s)", url, exc)


__all__ = ["Unauthorized", "authenticate", "authentication", "warm"]
