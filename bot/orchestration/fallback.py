"""A customer reply that could not be delivered after its retries is shown to people, never dropped silently.

The outbox worker gives up on an item after its retries or on a permanent refusal (the channel is gone, the bot
was removed). For a card, `FallbackDesk` already posts it to the default agents channel. For a reply to the
customer - an AI answer, an agent's own words, a "a person will reply" notice - the platform's `AgentDesk`, when
it implements `ReplyFallback`, posts a card with the reply's text to the default agents channel and tells each
admin directly, so someone can reach the customer another way.
"""

from __future__ import annotations

import logging

from bot.core.outbox import OutboxItem, ReplyFallback

log = logging.getLogger(__name__)


def _why(exc: BaseException) -> str:
    try:
        text = " ".join(str(exc).split())[:300]
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the error path
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def reply_undeliverable(desk: object, item: OutboxItem, error: str) -> tuple[str, int]:
    """Tell people about an undeliverable reply; returns the error to record for the item and 1 if people were told.

    Never raises: this runs on the error path itself.
    """
    if not isinstance(desk, ReplyFallback):
        log.error("a reply to %s could not be delivered and no agents' desk can show it: %s", item.address.channel, error)
        return error, 0
    try:
        ref = await desk.reply_undeliverable(item, error)
    except Exception as exc:  # noqa: BLE001 - recorded on the item; the error path must not fail itself
        log.error("a reply could not be delivered, and telling the agents failed too: %s", _why(exc))
        return f"{error}; telling the agents failed too: {_why(exc)}", 0
    log.error("a reply to %s could not be delivered; shown to the agents (%s): %s", item.address.channel, ref, error)
    return f"{error}; shown to the agents and admins instead", 1
