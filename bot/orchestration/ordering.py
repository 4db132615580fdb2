"""Replies in the customer's order across replicas: under a conversation's lock, earlier events go first.

Two replicas may each accept one message of a thread a moment apart; whichever gets the conversation's lock first
would otherwise answer its own message first, even if it is the later one. So the lock holder first decides (and
sends) the conversation's events that were accepted before its own and are still pending; the replica that
accepted them then finds them decided (the inbox closing is conditional) and writes nothing. One process needs
none of this: its lock is first come, first served in arrival order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from bot.core.conversation import Conversation
from bot.core.outbox import OutboxItem
from bot.core.ports import Store
from bot.core.types import Decision, Inbound, Ticket
from bot.orchestration.delivery import describe

log = logging.getLogger(__name__)

Done = tuple[Conversation, Decision, tuple[OutboxItem, ...], Ticket | None]


async def decide_earlier(
    store: Store,
    inbound: Inbound,
    decide: Callable[[Inbound], Awaitable[Done | None]],
    deliver: Callable[[Iterable[OutboxItem], Mapping[str, Ticket] | None], Awaitable[None]],
) -> list[tuple[Inbound, Done]]:
    """Decide and send `inbound`'s pending predecessors, oldest first; the caller holds the conversation's lock.

    Stops at the first one that cannot be decided (it stays pending for its own process or the inbox sweep); the
    caller's own event is decided next either way, so a failure here never holds a conversation up.
    """
    try:
        earlier = await store.earlier_pending(inbound)
    except Exception as exc:  # noqa: BLE001 - ordering is best effort when the database fails; the event is not
        log.warning("could not look for earlier messages of %s: %s", inbound.message_id, describe(exc))
        return []
    finished: list[tuple[Inbound, Done]] = []
    for event in earlier:
        try:
            done = await decide(event)
        except Exception as exc:  # noqa: BLE001 - left pending: its own process or the sweep retries it
            log.warning("could not decide the earlier message %s first: %s", event.message_id, describe(exc))
            break
        if done is not None:
            await deliver(done[2], {done[3].id: done[3]} if done[3] else None)
            finished.append((event, done))
    return finished
