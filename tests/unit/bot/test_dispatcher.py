"""The dispatcher and engine together: one decision per message, persisted, delivered once, with its trace."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.core.conversation import ConversationStatus, conversation_key
from bot.core.types import Escalate, Ignore, InboundKind, Respond
from tests.fakes import AGENT, message
from tests.unit.bot.conftest import Core


async def test_answers_with_citation_and_actions(core: Core) -> None:
    decision = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    assert isinstance(decision, Respond)
    assert decision.reason == "answered"
    assert [c.article_id for c in decision.reply.citations] == ["billing-invoices"]
    assert [a.kind for a in decision.reply.actions] == ["helpful", "not_helpful", "human", "no_ai"]
    assert len(core.outbox.sent) == 1
    records = await core.store.decisions()
    assert records[0].kind == "answer" and records[0].delivered
    assert [s.step for s in decision.trace][:1] == ["gate"]


async def test_same_message_delivered_twice_gives_one_reply(core: Core) -> None:
    first = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    again = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    assert first is not None and again is None
    assert len(core.outbox.sent) == 1


async def test_human_request_opens_ticket_with_summary(core: Core) -> None:
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    decision = await core.dispatcher.submit(message("can I talk to a human please", "m2"))
    assert isinstance(decision, Escalate)
    assert decision.reason == "asked_for_human"
    [ticket] = core.agents.posted
    # The request for a person is not the question: the question leads and titles the card.
    assert ticket.handoff.summary.startswith("Asked: Where is my invoice?\nThen: can I talk to a human please\n")
    assert ticket.handoff.title == "Where is my invoice?"
    assert "AI answered: “Download invoices from Settings > Billing.” (citing Billing Invoices)" in ticket.handoff.summary
    conv = await core.store.load_conversation(conversation_key(message("x", "x").address))
    assert conv is not None and conv.status is ConversationStatus.ESCALATED
    stored = await core.store.get_ticket(ticket.id)
    assert stored is not None and stored.card_ref == "card1"


async def test_ai_stays_quiet_while_a_human_owns_the_thread(core: Core) -> None:
    await core.dispatcher.submit(message("human please", "m1"))
    ticket = core.agents.posted[0]
    await core.desk.claim(ticket.id, AGENT)
    sent_before = len(core.outbox.sent)
    decision = await core.dispatcher.submit(message("Where is my invoice?", "m2"))
    assert isinstance(decision, Ignore) and decision.reason == "claimed_by_human"
    assert decision.language == "en"  # the thread's language: every decision records one
    assert len(core.outbox.sent) == sent_before


async def test_unknown_question_escalates_no_knowledge(core: Core) -> None:
    decision = await core.dispatcher.submit(message("Do you integrate with SAP Ariba?", "m1"))
    assert isinstance(decision, Escalate) and decision.reason == "no_knowledge"


async def test_internal_article_never_reaches_a_customer(core: Core) -> None:
    decision = await core.dispatcher.submit(message("any discount code?", "m1"))
    assert isinstance(decision, Escalate)
    assert all("RB-SECRET" not in reply.text for _, reply in core.outbox.sent)


async def test_second_failed_attempt_escalates(core: Core) -> None:
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    first = await core.dispatcher.feedback(
        message("", "x").address, message("", "x").author, helpful=False, message_id="fb1"
    )
    assert isinstance(first, Respond) and first.reason == "clarify"
    second = await core.dispatcher.feedback(
        message("", "x").address, message("", "x").author, helpful=False, message_id="fb2"
    )
    assert isinstance(second, Escalate) and second.reason == "repeated_failure"
    feedback = await core.store.feedback()
    assert [f.helpful for f in feedback] == [False, False]
    assert feedback[0].article_ids == ("billing-invoices",)


async def test_typed_failure_counts_once(core: Core) -> None:
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    await core.dispatcher.submit(message("that didn't help, where is the invoice", "m2"))
    conv = await core.store.load_conversation(conversation_key(message("x", "x").address))
    assert conv is not None and conv.failed_attempts == 1
    decision = await core.dispatcher.submit(message("still didn't help", "m3"))
    assert isinstance(decision, Escalate) and decision.reason == "repeated_failure"


async def test_agent_reply_in_thread_is_a_human_turn_and_claims(core: Core) -> None:
    await core.dispatcher.submit(message("human please", "m1"))
    decision = await core.dispatcher.submit(message("Hi Dana, looking now", "m2", author=AGENT))
    assert isinstance(decision, Ignore) and decision.reason == "not_a_customer"
    ticket = await core.store.get_ticket(core.agents.posted[0].id)
    assert ticket is not None and ticket.status.value == "claimed" and ticket.agent == AGENT.id


async def test_failed_delivery_is_retried_by_the_outbox_worker_and_sent_once(core: Core) -> None:
    core.outbox.fail = True
    decision = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    assert isinstance(decision, Respond)
    stats = await core.store.outbox_stats()
    assert stats.pending == 1 and core.outbox.sent == []
    assert await core.dispatcher.outbox.run_once() == 0  # not due yet: backing off
    core.outbox.fail = False
    core.clock.advance(minutes=5)
    assert await core.dispatcher.outbox.run_once() == 1
    assert [r.text for _, r in core.outbox.sent] == ["Download invoices from Settings > Billing."]
    assert core.outbox.sent[0][1].actions  # the whole reply, buttons included, not only its text
    core.clock.advance(minutes=5)
    assert await core.dispatcher.outbox.run_once() == 0
    assert (await core.store.outbox_stats()).pending == 0


async def test_button_press_without_policy_match_is_ignored(core: Core) -> None:
    decision = await core.dispatcher.submit(message("", "b1", kind=InboundKind.MESSAGE))
    assert isinstance(decision, Ignore) and decision.reason == "no_question" and decision.language == "en"


async def test_a_flagged_stop_makes_a_reported_handoff() -> None:
    from bot.core.ports import Stop, StopAction
    from tests.unit.bot.conftest import make_core

    class Threats:
        name = "sensitive"

        def check(self, ctx):  # type: ignore[no-untyped-def]
            if "hurt" in ctx.inbound.text:
                return Stop(StopAction.ESCALATE, "sensitive:threat_abuse", flag_admins=True)
            from bot.core.ports import Proceed

            return Proceed()

    core = make_core()
    core.engine.input_policies = [Threats()]
    decision = await core.dispatcher.submit(message("I will hurt you", "m1"))
    assert isinstance(decision, Escalate) and decision.handoff.reported
    stored = await core.store.get_ticket(core.agents.posted[0].id)
    assert stored is not None and stored.handoff.reported
    calm = await core.dispatcher.submit(message("human please", "m2", thread="t2"))
    assert isinstance(calm, Escalate) and not calm.handoff.reported


async def test_a_stop_that_is_a_failed_attempt_is_counted_and_speaks_its_language() -> None:
    from bot.core.ports import Proceed, Stop, StopAction, TurnContext
    from tests.unit.bot.conftest import make_core

    class Clarify:
        name = "failed_attempts"

        def check(self, ctx: TurnContext) -> Stop | Proceed:
            if ctx.inbound.text == "still broken":
                return Stop(StopAction.REPLY, "clarify", text="Tell me more?", failed_attempt=True)
            if ctx.inbound.text == "Guten Tag":
                return Stop(StopAction.REPLY, "greeting", text="Hallo!", language="de")
            return Proceed()

    core = make_core()
    core.engine.input_policies = [Clarify()]
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    decision = await core.dispatcher.submit(message("still broken", "m2"))
    assert isinstance(decision, Respond) and decision.reason == "clarify"
    conv = await core.store.load_conversation(conversation_key(message("x", "m").address))
    assert conv is not None and conv.failed_attempts == 1
    hello = await core.dispatcher.submit(message("Guten Tag", "m3", thread="t2"))
    assert isinstance(hello, Respond) and hello.language == "de"
    greeted = await core.store.load_conversation(conversation_key(message("x", "m", thread="t2").address))
    assert greeted is not None and greeted.language == "de" and greeted.failed_attempts == 0


async def test_the_sweep_leaves_events_this_process_is_holding_to_it(core: Core) -> None:
    """A burst queues events behind the bounded decisions in flight; the inbox sweep (for events a crash left
    pending) must not decide them a second time meanwhile."""
    core.dispatcher._slots = asyncio.Semaphore(0)  # every decision waits for a free slot, as behind a long burst
    events = [message("Where is my invoice?", f"b{n}") for n in range(3)]
    for event in events:
        assert await core.dispatcher.accept(event)
    queued = [asyncio.create_task(core.dispatcher.process(event)) for event in events]
    await asyncio.sleep(0)
    swept = await asyncio.wait_for(core.dispatcher.sweep_inbox(timedelta(0)), 10)  # a guard, not a timing
    assert swept == 0 and not core.outbox.sent
    for _ in events:
        core.dispatcher._slots.release()
    decided = await asyncio.gather(*queued)
    assert all(isinstance(d, Respond) for d in decided)
    assert len(core.outbox.sent) == 3  # one reply each
