"""`WebOutbox`: the playground's `Outbox` — keeps each conversation's messages in memory for the page to poll.

The page asks for "messages after sequence N". A message that changes later (a "why" line added once the decision is
known, a button pressed) is re-issued under a new sequence number with the same id, so a poller that already saw it
simply replaces it. Memory is bounded: old messages and least recently used conversations are dropped.

Who is speaking is not part of the `Outbox` port (a `Reply` has no author), so the playground's request handlers
say it through a context variable around the desk call that sends (an agent's own reply, an edited draft); anything
else is Frontdesk itself. The same mechanism captures which messages one request produced, to annotate them.
"""

from __future__ import annotations

import itertools
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from adapters.web.render import render_reply
from bot.core.conversation import conversation_key
from bot.core.types import Address, Reply

BOT_NAME = "Frontdesk"


@dataclass(frozen=True, slots=True)
class Speaker:
    role: str  # customer | bot | agent
    name: str


BOT = Speaker("bot", BOT_NAME)
_speaker: ContextVar[Speaker | None] = ContextVar("playground_speaker", default=None)
_capture: ContextVar[list[str] | None] = ContextVar("playground_capture", default=None)


@contextmanager
def speaking_as(speaker: Speaker) -> Iterator[None]:
    """Messages sent inside this block are attributed to `speaker` (e.g. the agent typing in the agent pane)."""
    token = _speaker.set(speaker)
    try:
        yield
    finally:
        _speaker.reset(token)


@contextmanager
def capturing() -> Iterator[list[str]]:
    """Collects the ids of messages sent inside this block (one request's replies), to annotate them afterwards."""
    sent: list[str] = []
    token = _capture.set(sent)
    try:
        yield sent
    finally:
        _capture.reset(token)


@dataclass(frozen=True, slots=True)
class WebMessage:
    id: str
    seq: int
    role: str
    author: str
    at: datetime
    text: str
    reply: Reply | None = None  # None for the customer's own messages (shown as plain text, never as HTML)
    pressed: frozenset[str] = frozenset()
    why: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "seq": self.seq,
            "role": self.role,
            "author": self.author,
            "at": self.at.isoformat(),
            "text": self.text,
            "why": self.why,
            "pressed": sorted(self.pressed),
        }
        if self.reply is not None:
            data["html"] = render_reply(self.reply, self.pressed)
        return data


@dataclass
class _Thread:
    address: Address
    messages: list[WebMessage] = field(default_factory=list)
    title: str = ""
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))


class WebOutbox:
    """Implements `bot.core.ports.Outbox` for the playground; also the message log the page polls."""

    def __init__(
        self,
        *,
        max_conversations: int = 500,
        max_messages: int = 200,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if max_conversations < 1 or max_messages < 1:
            raise ValueError("WebOutbox limits must be at least 1")
        self._threads: OrderedDict[str, _Thread] = OrderedDict()
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._max_conversations = max_conversations
        self._max_messages = max_messages
        self._clock = clock or (lambda: datetime.now(UTC))
        # Sequence numbers and message ids restart with the process; a page left open across a restart sees a new
        # epoch and reloads the conversation instead of waiting for sequence numbers it already passed.
        self.epoch = uuid.uuid4().hex[:12]

    # -- the Outbox port -----------------------------------------------------------------------------------------

    async def send(self, address: Address, reply: Reply) -> str:
        speaker = _speaker.get() or BOT
        message_id = f"w{next(self._ids)}"
        self._append(address, WebMessage(message_id, 0, speaker.role, speaker.name, self._clock(), reply.text, reply))
        captured = _capture.get()
        if captured is not None:
            captured.append(message_id)
        return message_id

    # -- the playground's side -----------------------------------------------------------------------------------

    def add_customer_message(self, address: Address, message_id: str, author: str, text: str) -> bool:
        """Show what the customer typed; False when this message id is already shown (a resubmission)."""
        thread = self._threads.get(conversation_key(address))
        if thread is not None and any(m.id == message_id for m in thread.messages):
            return False
        self._append(address, WebMessage(message_id, 0, "customer", author, self._clock(), text))
        return True

    def restore(
        self,
        address: Address,
        role: str,
        author: str,
        at: datetime,
        text: str,
        *,
        reply: Reply | None = None,
        why: dict[str, Any] | None = None,
        pressed: frozenset[str] = frozenset(),
        message_id: str | None = None,
    ) -> WebMessage:
        """Put back a message shown before a restart (see `adapters.web.restore`), keeping its original time."""
        message = WebMessage(message_id or f"w{next(self._ids)}", 0, role, author, at, text, reply, pressed, why)
        self._append(address, message)
        return message

    def messages(self, address: Address, after: int = 0) -> list[WebMessage]:
        thread = self._threads.get(conversation_key(address))
        if thread is None:
            return []
        return [m for m in thread.messages if m.seq > after]

    def last_seq(self, address: Address) -> int:
        thread = self._threads.get(conversation_key(address))
        return max((m.seq for m in thread.messages), default=0) if thread else 0

    def find(self, address: Address, message_id: str) -> WebMessage | None:
        thread = self._threads.get(conversation_key(address))
        if thread is None:
            return None
        return next((m for m in thread.messages if m.id == message_id), None)

    def update(self, address: Address, message_id: str, **changes: Any) -> WebMessage | None:
        """Change a message and re-issue it under a new sequence number so pollers pick the change up."""
        thread = self._threads.get(conversation_key(address))
        if thread is None:
            return None
        for index, message in enumerate(thread.messages):
            if message.id == message_id:
                updated = replace(message, seq=next(self._seq), **changes)
                del thread.messages[index]
                thread.messages.append(updated)
                return updated
        return None

    def threads(self) -> Sequence[tuple[Address, str, datetime, int]]:
        """(address, title, last activity, message count), most recent first."""
        rows = [(t.address, t.title, t.updated, len(t.messages)) for t in self._threads.values()]
        return sorted(rows, key=lambda row: row[2], reverse=True)

    # -- internals ------------------------------------------------------------------------------------------------

    def _append(self, address: Address, message: WebMessage) -> None:
        key = conversation_key(address)
        thread = self._threads.get(key)
        if thread is None:
            thread = self._threads[key] = _Thread(address)
            while len(self._threads) > self._max_conversations:
                self._threads.popitem(last=False)
        self._threads.move_to_end(key)
        if not thread.title and message.role == "customer":
            thread.title = " ".join(message.text.split())[:60]
        thread.updated = message.at
        thread.messages.append(replace(message, seq=next(self._seq)))
        if len(thread.messages) > self._max_messages:
            del thread.messages[: len(thread.messages) - self._max_messages]
