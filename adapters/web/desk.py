"""`WebAgentDesk`: the playground's `AgentDesk` — the agent pane reads tickets from the store, so this keeps only
what the store does not: which cards were posted, and the questions put to the agent ("did you rewrite?").
"""

from __future__ import annotations

from bot.core.types import Reply, Ticket


class WebAgentDesk:
    """Implements `bot.core.ports.AgentDesk` for the playground's agent pane."""

    def __init__(self, *, max_questions: int = 500) -> None:
        self._questions: dict[str, Reply] = {}
        self._max_questions = max_questions
        self.version = 0  # bumps on every change, so a page can tell that something happened

    async def post(self, ticket: Ticket) -> str:
        self.version += 1
        return f"web-card-{ticket.id}"

    async def update(self, ticket: Ticket) -> None:
        self.version += 1

    async def ask(self, ticket: Ticket, prompt: Reply) -> None:
        if not prompt.actions:
            # A notice for the agent (a new customer message): the card itself shows it, nothing to answer.
            self.version += 1
            return
        self._questions[ticket.id] = prompt
        while len(self._questions) > self._max_questions:
            del self._questions[next(iter(self._questions))]
        self.version += 1

    def question(self, ticket_id: str) -> Reply | None:
        return self._questions.get(ticket_id)

    def answered(self, ticket_id: str) -> None:
        if self._questions.pop(ticket_id, None) is not None:
            self.version += 1
