"""The agents' card, platform-neutral: what a handoff card says and which buttons it offers, for every platform.

`card_view(ticket)` turns a stored `Ticket` into a `CardView`; Slack renders it as Block Kit (`adapters.slack.cards`),
the playground as HTML (`adapters.web.views`), Teams as an Adaptive Card. The rules (which buttons for which
collaboration model and state, what the status line says, which sections appear) live here once, so the platforms
cannot drift. Agents are named through `name(agent_id, agent_name)`, which each platform supplies (a Slack mention,
a Teams display name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.reasons import describe_event, describe_priority
from bot.core.types import Action, Citation, DeskEvent, HandoffStatus, Reply, Ticket, TicketKind

Namer = Callable[[str, str], str]  # (agent id, agent name) -> how this platform names the agent


def plain_name(agent_id: str, agent_name: str) -> str:
    return agent_name or agent_id


@dataclass(frozen=True, slots=True)
class Section:
    """A titled block of text: "AI's draft", "Your reply", "New from the customer", "References"."""

    label: str
    text: str = ""
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class CardView:
    headline: str  # the customer's question, one line
    kind: str  # "Handoff", "AI draft waiting for approval", "Agent-first: you write the answer", ...
    badges: tuple[str, ...]  # "VIP", "High priority", "Reported to the admins"
    status: str  # "Waiting for an agent", "Claimed by Alex", "Approved by Alex"
    summary: str  # what was asked, what the AI answered, why (one "Why:" line)
    facts: tuple[tuple[str, str], ...]  # (label, value): customer, organisation, team, language, sentiment
    sections: tuple[Section, ...]
    actions: tuple[Action, ...]  # `value` is what the button sends back besides the ticket id (a pick's choice)
    done: str = ""  # the latest thing an agent did: "Approved the AI's draft — Alex"
    event: DeskEvent | None = None  # the same, for platforms that show its time


KINDS = {
    "pre_approval": "AI draft waiting for approval",
    "agent_first": "Agent-first: you write the answer",
    "parallel": "Parallel: the AI drafted, you write too, then pick",
}


def _kind(ticket: Ticket) -> str:
    if ticket.kind is TicketKind.DRAFT:
        return KINDS["pre_approval"]
    return KINDS.get(ticket.handoff.reason, "Handoff: the customer needs a person")


def status_line(ticket: Ticket, name: Namer = plain_name) -> str:
    agent = name(ticket.agent, "") if ticket.agent else "an agent"
    match ticket.status:
        case HandoffStatus.OPEN:
            return "Waiting for an agent" if ticket.kind is TicketKind.HANDOFF else "Waiting for approval"
        case HandoffStatus.CLAIMED:
            return f"Claimed by {agent}"
        case HandoffStatus.RESOLVED:
            if ticket.handoff.handed_back:
                return "Handed back to the AI"
            return f"{'Sent' if ticket.kind is TicketKind.DRAFT else 'Resolved'} by {agent}"


def event_line(event: DeskEvent | None, name: Namer = plain_name) -> str:
    """"Approved the AI's draft — Alex": who did what (platforms add when, in the reader's time zone)."""
    return "" if event is None else f"{describe_event(event.kind)} — {name(event.agent, event.agent_name)}"


def card_actions(ticket: Ticket) -> tuple[Action, ...]:
    """The buttons that make sense for this ticket now. `value` carries a pick's choice."""
    handoff = ticket.handoff
    if ticket.status is HandoffStatus.RESOLVED:
        return ()
    if ticket.kind is TicketKind.DRAFT:
        return (
            Action("approve", "Approve and send", style="primary"),
            Action("edit", "Edit"),
            Action("reject", "Reject", style="danger"),
        )
    claim = (Action("claim", "Claim", style="primary"),) if ticket.status is HandoffStatus.OPEN else ()
    close = (Action("resolve", "Resolve"), Action("hand_back", "Hand back to AI")) if ticket.status is HandoffStatus.CLAIMED else ()
    proposal = handoff.proposal
    if handoff.reason == "parallel" and handoff.suggestion is not None:
        if proposal is not None:
            return (
                Action("pick", "Send the AI's draft", "ai", "primary"),
                Action("pick", "Send my reply", "mine", "primary"),
                Action("write", "Rewrite mine"),
                *close,
            )
        return (*claim, Action("write", "Write my reply", style="primary" if not claim else ""), Action("pick", "Send the AI's draft", "ai"), *close)
    if handoff.reason == "agent_first":
        if proposal is not None and proposal.alternative:
            return (
                Action("pick", "Send the AI's wording", "improved", "primary"),
                Action("pick", "Edit the AI's wording", "edited"),
                Action("pick", "Send mine as written", "mine"),
                *close,
            )
        return (*claim, Action("write", "Write the reply", style="primary" if not claim else ""), *close)
    if handoff.suggestion is not None:
        return (*claim, Action("approve", "Send suggestion"), Action("edit", "Edit suggestion"), *close)
    return (*claim, *close)


def _sections(ticket: Ticket, name: Namer) -> list[Section]:
    handoff, out = ticket.handoff, []
    if handoff.updates:
        out.append(Section("New from the customer since the handoff", "\n".join(f"“{u}”" for u in handoff.updates)))
    suggestion: Reply | None = handoff.suggestion
    if suggestion is not None and handoff.reason != "agent_first":
        out.append(Section("AI's draft", suggestion.text, suggestion.citations))
    proposal = handoff.proposal
    if proposal is not None:
        out.append(Section(f"Reply by {name(proposal.agent, proposal.agent_name)}", proposal.text))
        if proposal.alternative:
            out.append(Section("AI's suggested wording", proposal.alternative))
    if handoff.cited and (suggestion is None or handoff.reason == "agent_first"):
        out.append(Section("References", "", handoff.cited))
    return out


def card_view(ticket: Ticket, name: Namer = plain_name) -> CardView:
    handoff = ticket.handoff
    customer = handoff.customer
    badges = tuple(
        b
        for b in (
            "VIP" if handoff.vip else "",
            describe_priority(handoff.priority.value),
            "Reported to the Frontdesk admins (threat or abuse)" if handoff.reported else "",
        )
        if b
    )
    facts = (
        ("Customer", (customer.name or customer.id) if customer else "unknown"),
        ("Organisation", (customer.org_label if customer else "") or "—"),
        ("Team", handoff.team or "—"),
        ("Language", handoff.language or "—"),
        ("Sentiment", handoff.sentiment or "unknown"),
    )
    return CardView(
        headline=handoff.title or next(iter(handoff.summary.splitlines()), "").removeprefix("Asked: ") or "A customer needs a person",
        kind=_kind(ticket),
        badges=badges,
        status=status_line(ticket, name),
        summary=handoff.summary,
        facts=facts,
        sections=tuple(_sections(ticket, name)),
        actions=card_actions(ticket),
        done=event_line(handoff.last_event, name),
        event=handoff.last_event,
    )
