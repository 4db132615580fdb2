"""The structural shape of the composition root's `App` that chat adapters use (adapters sit below bootstrap).

Each adapter reads its own typed slice of `settings` / `config` once at mount; the rest uses the core's objects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.core.ports import AgentDesk, Outbox, Phrasebook, Store
from bot.core.types import Platform
from bot.orchestration.demotion import DemotionBoard
from bot.orchestration.desk import Desk
from bot.orchestration.dispatcher import Dispatcher


class Host(Protocol):
    settings: Any  # bot.settings.Settings (read only through the adapter's options)
    config: Any  # bot.settings.Config
    store: Store
    dispatcher: Dispatcher
    desk: Desk
    knowledge: Any
    phrases: Phrasebook
    demotions: DemotionBoard
    outboxes: dict[Platform, Outbox]
    desks: dict[Platform, AgentDesk]
    jobs: dict[str, Callable[[], Awaitable[str]]]  # on-demand runs of scheduled jobs (`digest now`)
    probes: dict[str, Callable[[], Awaitable[bool]]]  # readiness checks run by /readyz
