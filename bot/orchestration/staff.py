"""The staff roster: display names of the agents the desk has seen, on any platform, for the guardrails.

Replies must never name a person other than the customer (rule 9). Config lists some names
(`[escalation.guardrails] staff_names`); the rest are learnt here when an agent acts: a button on a card, a reply
in a customer's thread, an edit. Names are kept platform-neutrally (`platform:agent id` -> display name) in one
store setting, so every replica and a restart know them; the guardrails read `names()`, a snapshot with no I/O.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from bot.core.ports import Store

log = logging.getLogger(__name__)

SETTING = "guardrails.staff_names"  # JSON object: "platform:agent id" -> display name


def usable_name(name: str) -> str:
    """A display name worth matching: not empty, not a platform mention (`<@U123>`), whitespace collapsed."""
    clean = " ".join(name.split()).lstrip("@")
    return "" if not clean or clean.startswith("<") else clean


@dataclass(slots=True)
class StaffRoster:
    store: Store
    _names: dict[str, str] = field(default_factory=dict)

    def names(self) -> frozenset[str]:
        return frozenset(self._names.values())

    def knows(self, platform: str, agent_id: str) -> bool:
        return f"{platform}:{agent_id}" in self._names

    async def load(self) -> None:
        """Read the roster (at start); a missing or unreadable setting, or a store outage, is an empty roster (the
        configured names still apply) and a warning, never a failed start."""
        try:
            self._names = await self._stored()
        except Exception:  # noqa: BLE001 - names are learnt again as agents act
            log.exception("could not read the staff roster; starting with the configured names only")

    async def see(self, platform: str, agent_id: str, *names: str) -> None:
        """Record an agent's display name (the first usable of `names`) when they act. Never raises: a store
        outage must not fail the agent's action, it only delays learning the name."""
        name = next((usable_name(n) for n in names if usable_name(n)), "")
        key = f"{platform}:{agent_id}"
        if not name or not agent_id or self._names.get(key) == name:
            return
        self._names[key] = name
        try:
            stored = await self._stored()  # another replica may have learnt names since we loaded
            stored[key] = name
            await self.store.put_setting(SETTING, json.dumps(stored, sort_keys=True, ensure_ascii=False))
            self._names.update(stored)
        except Exception:  # noqa: BLE001 - the name is known in this process; it is stored again next time
            log.exception("could not store the staff roster")

    async def _stored(self) -> dict[str, str]:
        raw = await self.store.get_setting(SETTING)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("the stored staff roster is not JSON; starting a new one")
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if usable_name(str(v))}
