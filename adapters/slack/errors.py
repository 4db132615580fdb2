"""Slack Web API failures, read safely: what went wrong, whether to retry, and when.

slack_sdk raises `SlackApiError` whose `response` is a `SlackResponse` for an answer it could parse, but the raw
aiohttp response when the body was not JSON (an HTML error page from a proxy), so nothing here assumes a dict.
`slack_errors` turns every failure of one call (errors, timeouts, refused connections) into a `DeliveryError`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import DeliveryError

log = logging.getLogger(__name__)

METADATA_TYPE = "frontdesk_outbox"  # Slack message metadata event type carrying an outbox key
LOOKUP_LIMIT = 200  # recent messages searched for an earlier attempt's post

# Retrying the same request cannot fix these: the channel is gone or closed to us, or the message is malformed.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "cannot_reply_to_message",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
    }
)


def _data(exc: SlackApiError) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    data = getattr(response, "data", None)
    return data if isinstance(data, dict) else {}


def error_code(exc: BaseException) -> str:
    """Slack's `error` field ("channel_not_found"), or "" when the answer had none (HTML, empty, a timeout)."""
    if isinstance(exc, SlackApiError):
        return str(_data(exc).get("error") or "")
    return ""


def status_of(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    for name in ("status_code", "status"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0


def retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None)
    try:
        value = headers.get("Retry-After") or headers.get("retry-after") if headers is not None else None
        return None if value is None else max(0.0, float(value))
    except (AttributeError, TypeError, ValueError):
        return None


def why(exc: BaseException) -> str:
    """A short, safe description for logs (never raises, never the whole body)."""
    code, status = error_code(exc), status_of(exc)
    if code or status:
        return f"{code or 'error'} (HTTP {status or '?'})"
    return type(exc).__name__


@asynccontextmanager
async def slack_errors(method: str) -> AsyncIterator[None]:
    """Every failure of the enclosed Web API call leaves as a `DeliveryError` saying whether and when to retry."""
    try:
        yield
    except SlackApiError as exc:
        code, status = error_code(exc), status_of(exc)
        permanent = code in PERMANENT
        raise DeliveryError(
            f"Slack {method} failed: {why(exc)}", retry_after=retry_after(exc) if status == 429 else None, permanent=permanent
        ) from None
    except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError, ValueError) as exc:
        raise DeliveryError(f"Slack {method} failed: {type(exc).__name__}") from None


async def posted_keys(client: AsyncWebClient, channel: str, thread: str | None, prefix: str) -> dict[str, str]:
    """Outbox keys starting with `prefix` among recent posts in a thread (or channel) -> their ts."""
    async with slack_errors("conversations.replies" if thread else "conversations.history"):
        if thread:
            response = await client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=LOOKUP_LIMIT
            )
        else:
            response = await client.conversations_history(channel=channel, include_all_metadata=True, limit=LOOKUP_LIMIT)
        messages = response.get("messages") or []
    found: dict[str, str] = {}
    for message in messages if isinstance(messages, list) else []:
        metadata = message.get("metadata") if isinstance(message, dict) else None
        if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_TYPE:
            continue
        key = str((metadata.get("event_payload") or {}).get("key") or "")
        if key.startswith(prefix):
            found[key] = str(message.get("ts") or "")
    return found
