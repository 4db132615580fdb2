"""Conversation references (serviceUrl, tenant, bot id per conversation), learned from every activity and kept in
the database through `Store.put_setting`, so proactive posts (cards, digests, campaigns) survive restarts.

A Teams conversation can only be reached through the serviceUrl its own activities came from; references are never
guessed or shared between conversations. A reference that Teams says is gone (403/404) is `forget`-ed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from adapters.teams.connector import Ref
from bot.core.ports import Store

log = logging.getLogger(__name__)

KEY = "teams.ref."


def base_id(conversation_id: str) -> str:
    """A channel thread's id without `;messageid=…`: the channel (or chat) itself."""
    return conversation_id.split(";messageid=")[0]


def ref_of(activity: Mapping[str, Any]) -> Ref | None:
    conversation = activity.get("conversation") or {}
    service_url = str(activity.get("serviceUrl") or "")
    if not conversation.get("id") or not service_url:
        return None
    tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id") or conversation.get("tenantId") or ""
    return Ref(
        conversation_id=base_id(str(conversation["id"])),
        service_url=service_url,
        tenant_id=str(tenant),
        bot_id=str((activity.get("recipient") or {}).get("id") or ""),
        conversation_type=str(conversation.get("conversationType") or ""),
    )


class References:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, Ref] = {}

    async def remember(self, ref: Ref, *, name: str = "") -> None:
        """Store a conversation's reference when it is new or changed (a tenant's serviceUrl can move)."""
        if self._cache.get(ref.conversation_id) == ref:
            return
        self._cache[ref.conversation_id] = ref
        data = {"s": ref.service_url, "t": ref.tenant_id, "b": ref.bot_id, "k": ref.conversation_type, "n": name}
        await self.store.put_setting(KEY + ref.conversation_id, json.dumps(data, separators=(",", ":")))

    async def get(self, conversation_id: str) -> Ref | None:
        base = base_id(conversation_id)
        cached = self._cache.get(base)
        if cached is not None:
            return cached
        raw = await self.store.get_setting(KEY + base)
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("unreadable Teams reference for %s; ignoring it", base)
            return None
        ref = Ref(base, str(data.get("s") or ""), str(data.get("t") or ""), str(data.get("b") or ""), str(data.get("k") or ""))
        self._cache[base] = ref
        return ref

    async def forget(self, conversation_id: str) -> None:
        base = base_id(conversation_id)
        self._cache.pop(base, None)
        await self.store.put_setting(KEY + base, "")

    # 1:1 chats by person, so admins can be reached (stale references, threat reports).

    async def remember_personal(self, user_id: str, conversation_id: str) -> None:
        if user_id and await self.store.get_setting(PERSONAL + user_id) != conversation_id:
            await self.store.put_setting(PERSONAL + user_id, conversation_id)

    async def personal_chat(self, user_id: str) -> str:
        return await self.store.get_setting(PERSONAL + user_id) or ""


PERSONAL = "teams.chat."
