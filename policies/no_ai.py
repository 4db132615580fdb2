"""Customers who want no AI answers (rule 11): a typed request in their language or the "No AI answers" button, and
from then on every message of theirs goes to a person while the AI stays quiet.

This is the customer's choice about *answers*. It is not `bot.orchestration.optout`, an organisation's opt-out of
proactive campaign messages. The request is recognised here (`no_ai_requested`, with a confirmation in the
customer's language); the dispatcher stores it (`bot.orchestration.no_ai`) and tells the engine on every later
turn (`TurnContext.no_ai`), which this step turns into a quiet handoff (`no_ai`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.ports import Outcome, Phrasebook, Proceed, Stop, StopAction, TurnContext
from bot.core.types import EscalationReason, InboundKind
from policies.escalation import Acknowledgement, LanguagePhrases
from policies.routing import thread_team


@dataclass(slots=True)
class NoAi:
    phrases: LanguagePhrases  # typed requests, per language ("no AI answers please", "keine KI-Antworten")
    phrasebook: Phrasebook
    acknowledgement: Acknowledgement  # a plain "thanks" to a person needs no new handoff
    name: str = "no_ai"
    while_with_a_person: bool = True  # the engine runs this step even while a person has the thread

    def requested(self, ctx: TurnContext) -> str | None:
        """How the customer asked for no AI answers this turn ("button", "typed '…'"), or None."""
        if ctx.inbound.kind is InboundKind.NO_AI:
            return "button"
        if ctx.inbound.kind is InboundKind.MESSAGE:
            hit = self.phrases.find(ctx.inbound.text, ctx.language)
            if hit is not None:
                return f"typed '{hit}'"
        return None

    def check(self, ctx: TurnContext) -> Outcome:
        how = self.requested(ctx)
        if how is not None:
            return Stop(
                StopAction.ESCALATE,
                EscalationReason.NO_AI_REQUESTED.value,
                detail=how,
                team=thread_team(ctx),
                text=self.phrasebook.say("no_ai_confirmed", ctx.language),
            )
        if not ctx.no_ai:
            return Proceed()
        thanks = self.acknowledgement.check(ctx)
        if isinstance(thanks, Stop):
            return thanks  # "thanks!" after a person's reply: nobody needs to answer it
        return Stop(
            StopAction.ESCALATE,
            EscalationReason.NO_AI.value,
            detail="asked earlier for no AI answers",
            team=thread_team(ctx),
            quiet=True,
        )
