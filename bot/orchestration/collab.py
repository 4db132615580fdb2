"""The collaboration models' choices on a ticket (MISSION §10), as pure functions the desk applies.

- Pre-approval: the AI drafts; the agent approves, edits or rejects (`approved` / `edited` / `rejected`).
- Agent-first: the agent writes; the AI suggests references (the handoff's `cited`, with passages) and, with an
  LLM, a clearer wording (`Proposal.alternative`) the agent accepts, edits or declines
  (`suggestion_accepted` / `suggestion_edited` / `suggestion_rejected`; `wrote` when there was nothing to weigh).
- Parallel: the AI's draft (`Handoff.suggestion`) and the agent's reply (`Proposal.text`) are shown side by side;
  the agent picks one (`picked_ai` / `picked_agent`).

Each choice is a `DeskEvent` on the handoff (who, when) — the card shows it — and a "rewrite" feedback record for
the override metric, whose `reason` names the event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.types import Actor, DeskEvent, Handoff, Proposal, Ticket

AGENT_FIRST, PARALLEL = "agent_first", "parallel"
CHOICES = frozenset({"ai", "mine", "improved", "edited"})

# Events where the AI's text was overridden: the agent's own words went out instead of the AI's.
OVERRIDES = frozenset({"edited", "rejected", "picked_agent", "suggestion_rejected", "suggestion_edited"})


def with_event(handoff: Handoff, kind: str, agent: Actor, at: datetime) -> Handoff:
    return replace(handoff, events=(*handoff.events, DeskEvent(kind, agent.id, at, agent.name)))


def writes_first(ticket: Ticket) -> bool:
    """The agent writes the answer themselves (agent-first or parallel), then picks what is sent."""
    return ticket.handoff.reason in (AGENT_FIRST, PARALLEL)


def propose(ticket: Ticket, agent: Actor, text: str, alternative: str = "") -> Ticket:
    """The agent's reply, held for their pick: beside the AI's draft (parallel) or its better wording (agent-first)."""
    proposal = Proposal(text, agent.id, agent.name, alternative if alternative.strip() != text.strip() else "")
    return replace(ticket, handoff=replace(ticket.handoff, proposal=proposal))


@dataclass(frozen=True, slots=True)
class Choice:
    text: str  # what goes to the customer
    event: str  # the DeskEvent kind recorded
    by_ai: bool  # the words are the AI's (its draft or its wording), not the agent's own


def choose(ticket: Ticket, choice: str, edited: str = "") -> Choice:
    """What the agent's pick sends. Raises ValueError for a pick the ticket does not offer."""
    handoff, proposal = ticket.handoff, ticket.handoff.proposal
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}; use one of {', '.join(sorted(CHOICES))}")
    if choice == "ai":
        if handoff.suggestion is None:
            raise ValueError("there is no AI draft to send")
        return Choice(handoff.suggestion.text, "picked_ai" if proposal else "approved", True)
    if proposal is None:
        raise ValueError("write your reply first")
    if choice == "mine":
        kind = "picked_agent" if handoff.reason == PARALLEL else ("suggestion_rejected" if proposal.alternative else "wrote")
        return Choice(proposal.text, kind, False)
    if not proposal.alternative:
        raise ValueError("the AI suggested no other wording for this reply")
    if choice == "improved":
        return Choice(proposal.alternative, "suggestion_accepted", True)
    if not edited.strip():
        raise ValueError("the edited reply is empty")
    return Choice(edited, "suggestion_edited", False)
