"""Agent actions: claim, resolve with CSAT and the rewrite question, and pre-approval drafts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.conversation import ConversationStatus, conversation_key
from bot.core.errors import Conflict, NotFound
from bot.core.types import Actor, Draft, HandoffStatus, Mode, Respond, Role, TicketKind
from tests.fakes import AGENT, message
from tests.unit.bot.conftest import Core, make_core

KEY = conversation_key(message("x", "x").address)
OTHER = Actor("U_OTHER", "Sam", "us", Role.AGENT)


async def test_claim_tells_customer_and_blocks_a_second_agent(core: Core) -> None:
    await core.dispatcher.submit(message("human please", "m1"))
    ticket_id = core.agents.posted[0].id
    claimed = await core.desk.claim(ticket_id, AGENT)
    assert claimed.status is HandoffStatus.CLAIMED and claimed.claimed_at is not None
    assert core.outbox.sent[-1][1].text == "[en:claimed agent=Alex]"
    assert core.agents.updated[-1].status is HandoffStatus.CLAIMED
    with pytest.raises(Conflict):
        await core.desk.claim(ticket_id, OTHER)
    with pytest.raises(NotFound):
        await core.desk.claim("nope", AGENT)


async def test_resolve_asks_csat_and_rewrite_then_thread_reopens_for_ai(core: Core) -> None:
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    await core.dispatcher.submit(message("human please", "m2"))
    ticket_id = core.agents.posted[0].id
    await core.desk.reply(ticket_id, AGENT, "Here it is, Dana.")
    await core.desk.resolve(ticket_id, AGENT)
    csat = core.outbox.sent[-1][1]
    assert [a.value for a in csat.actions] == ["1", "2", "3", "4", "5"]
    assert core.agents.asked and "rewrite" in core.agents.asked[0][1].text
    await core.desk.csat(KEY, message("x", "x").author, 5)
    await core.desk.rewrite_answer(ticket_id, AGENT, False)
    kinds = [(f.kind, f.score, f.rewrote) for f in await core.store.feedback()]
    assert ("csat", 5, None) in kinds and ("rewrite", None, False) in kinds
    with pytest.raises(ValueError):
        await core.desk.csat(KEY, message("x", "x").author, 9)
    decision = await core.dispatcher.submit(message("Where is my invoice again?", "m3"))
    assert isinstance(decision, Respond)
    conv = await core.store.load_conversation(KEY)
    assert conv is not None and conv.reopened == 1 and conv.status is ConversationStatus.OPEN


async def test_pre_approval_draft_approve_posts_answer_and_ai_keeps_thread() -> None:
    core = make_core(approval_days=30)
    decision = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    assert isinstance(decision, Draft) and decision.mode is Mode.PRE_APPROVAL
    [ticket] = core.agents.posted
    assert ticket.kind is TicketKind.DRAFT and ticket.handoff.suggestion is not None
    assert core.outbox.sent[-1][1].text == "[en:draft_notice]"
    await core.desk.approve(ticket.id, AGENT)
    assert core.outbox.sent[-1][1].text == "Download invoices from Settings > Billing."
    conv = await core.store.load_conversation(KEY)
    assert conv is not None and conv.status is ConversationStatus.OPEN
    follow_up = await core.dispatcher.submit(message("and my password?", "m2"))
    assert isinstance(follow_up, Draft)  # still in the approval period: every AI answer is reviewed


async def test_edit_records_override_with_diff() -> None:
    core = make_core(approval_days=30)
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    ticket = core.agents.posted[0]
    await core.desk.edit(ticket.id, AGENT, "Invoices are under Settings > Billing > Invoices.")
    assert core.outbox.sent[-1][1].text == "Invoices are under Settings > Billing > Invoices."
    [override] = [f for f in await core.store.feedback() if f.kind == "rewrite"]
    assert override.rewrote and "+Invoices are under" in override.reason
    with pytest.raises(Conflict):
        await core.desk.approve(ticket.id, AGENT)


async def test_reject_drops_the_draft_and_turns_it_into_a_handoff() -> None:
    core = make_core(approval_days=30)
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    ticket = core.agents.posted[0]
    told = len(core.outbox.sent)
    rejected = await core.desk.reject(ticket.id, AGENT)
    assert rejected.kind is TicketKind.HANDOFF and rejected.handoff.reason == "rejected_draft"
    assert rejected.handoff.suggestion is None
    assert "Why: An agent rejected the AI's draft; a person writes the answer." in rejected.handoff.summary.splitlines()
    assert "approval" not in rejected.handoff.summary  # the card no longer says it awaits one
    stored = await core.store.get_ticket(ticket.id)
    assert stored is not None and stored.handoff.suggestion is None
    # The draft notice already said a teammate will answer: no second notice.
    assert [r.text for _, r in core.outbox.sent[told:]] == []
    assert core.agents.updated[-1].handoff.suggestion is None
    for action in ("approve", "reject"):
        with pytest.raises(Conflict, match="AI draft for this handoff was rejected; reply to the customer yourself"):
            await core.desk.act(action, ticket.id, AGENT)
    with pytest.raises(Conflict, match="was rejected"):
        await core.desk.edit(ticket.id, AGENT, "Invoices are under Billing.")
    assert len(core.outbox.sent) == told  # nothing reached the customer
    await core.desk.claim(ticket.id, AGENT)
    assert core.outbox.sent[-1][1].text == "[en:claimed agent=Alex]"


async def test_reject_in_agent_first_sends_no_second_notice() -> None:
    core = make_core(mode=Mode.AGENT_FIRST)
    await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    ticket = core.agents.posted[0]
    assert [r.text for _, r in core.outbox.sent] == ["[en:handoff]"]
    await core.desk.reject(ticket.id, AGENT)
    assert [r.text for _, r in core.outbox.sent] == ["[en:handoff]"]


async def test_missing_handoff_has_one_wording_in_the_desk_and_the_store(core: Core) -> None:
    for action in ("claim", "approve", "reject", "resolve"):
        with pytest.raises(NotFound, match=r"^no handoff with id 'nope'$"):
            await core.desk.act(action, "nope", AGENT)
    await core.dispatcher.submit(message("human please", "m1"))
    ghost = replace(core.agents.posted[0], id="ghost")
    with pytest.raises(NotFound, match=r"^no handoff with id 'ghost'$"):
        await core.store.update_ticket(ghost)


async def test_agent_first_sends_suggestion_as_agent() -> None:
    core = make_core(mode=Mode.AGENT_FIRST)
    decision = await core.dispatcher.submit(message("Where is my invoice?", "m1"))
    assert isinstance(decision, Draft) and decision.mode is Mode.AGENT_FIRST
    ticket = core.agents.posted[0]
    assert ticket.kind is TicketKind.HANDOFF and ticket.handoff.suggestion is not None
    assert core.outbox.sent[-1][1].text == "[en:handoff]"
    sent = await core.desk.approve(ticket.id, AGENT)
    assert sent.status is HandoffStatus.CLAIMED
    assert await core.dispatcher.submit(message("thanks! and password?", "m2")) is not None
    assert core.outbox.sent[-1][1].text == "Download invoices from Settings > Billing."


async def test_act_dispatches_by_name_and_rejects_unknown_actions(core: Core) -> None:
    await core.dispatcher.submit(message("human please", "m1"))
    ticket_id = core.agents.posted[0].id
    await core.desk.act("claim", ticket_id, AGENT)
    await core.desk.act("reply", ticket_id, AGENT, text="On it")
    await core.desk.act("resolve", ticket_id, AGENT)
    await core.desk.act("rewrite", ticket_id, AGENT, rewrote=True)
    stored = await core.store.get_ticket(ticket_id)
    assert stored is not None and stored.status is HandoffStatus.RESOLVED
    assert any(f.kind == "rewrite" and f.rewrote for f in await core.store.feedback())
    with pytest.raises(ValueError, match="unknown agent action 'dance'"):
        await core.desk.act("dance", ticket_id, AGENT)


async def test_locks_serialise_one_conversation_and_are_released() -> None:
    import asyncio

    from bot.orchestration.locks import Locks

    locks, order = Locks(), []

    async def work(name: str, key: str) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(work("a", "k1"), work("b", "k1"), work("c", "k2"))
    assert order.index("a-") < order.index("b+")  # same conversation: one at a time
    assert order.index("c+") < order.index("a-")  # another conversation is not blocked
    assert len(locks) == 0  # nothing kept once no one holds or waits
