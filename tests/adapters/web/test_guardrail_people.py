"""A reply naming a person other than the customer is blocked, through the playground: names come from config and
from the agents the desk has seen act (kept in the store, so a restart still knows them)."""

from __future__ import annotations

from bot.bootstrap import bootstrap, channel_defaults
from bot.core.types import Answer, ArticleHit, Citation, Question
from bot.orchestration.staff import SETTING
from bot.settings import Config, Settings
from bot.store.memory import MemoryStore
from policies.config import EscalationConfig, GuardrailConfig, RoutingConfig
from tests.adapters.web.conftest import MakePlayground, Playground

HIT = ArticleHit("reset-password", "Reset your password", 0.92, "https://kb.example.com/reset", "support")


def naming(text: str) -> object:
    async def answer(question: Question) -> Answer:
        if "password" not in question.text.lower():
            return Answer("", 0.05, (), (), relevant=False)
        return Answer(text, 0.92, (HIT,), (Citation(HIT.article_id, HIT.title, HIT.url, "Open Settings."),))

    return answer


async def _blocked_reason(pg: Playground, thread: str) -> str:
    reply = await pg.say("How do I reset my password?", thread=thread, name="Dana Whitfield", org="Acme")
    assert reply["decision"]["decision"] == "escalate", reply
    [ticket] = [t for t in await pg.tickets() if t["thread"] == thread]
    return str(ticket["summary"])


async def test_an_agent_seen_acting_is_never_named_to_a_customer(make_playground: MakePlayground) -> None:
    config = Config(routing=RoutingConfig(approval_days=0))
    store = MemoryStore(channel_defaults(config, Settings()))
    pg = await make_playground(config=config, store=store)
    first = await pg.say("Something the knowledge base does not cover", thread="t-first")
    assert first["decision"]["decision"] == "escalate"
    [ticket] = await pg.tickets()
    await pg.act("claim", ticket=ticket["id"], agent="Sarah Connor")
    pg.answerer.answer = naming("Ask Sarah on the support team, or open Settings and choose Reset password.")  # type: ignore[method-assign]
    summary = await _blocked_reason(pg, "t-named")
    assert "names Sarah, a member of staff" in summary
    # The name was stored platform-neutrally: a restarted desk on the same store blocks it too.
    assert "Sarah Connor" in (await store.get_setting(SETTING) or "")
    again = await bootstrap(pg.app.settings, config=pg.app.config, store=store, answerer=pg.app.answerer)
    assert again.staff is not None and "Sarah Connor" in again.staff.names()


async def test_the_customer_may_be_named_and_configured_staff_may_not(make_playground: MakePlayground) -> None:
    guardrails = GuardrailConfig(staff_names=["Maria Lopez"])
    config = Config(routing=RoutingConfig(approval_days=0), escalation=EscalationConfig(guardrails=guardrails))
    pg = await make_playground(config=config)
    pg.answerer.answer = naming("Dana Whitfield, open Settings and choose Reset password.")  # type: ignore[method-assign]
    ok = await pg.say("How do I reset my password?", thread="t-own", name="Dana Whitfield", org="Acme")
    assert ok["decision"]["decision"] == "answer", ok
    pg.answerer.answer = naming("Maria Lopez can reset it: open Settings and choose Reset password.")  # type: ignore[method-assign]
    assert "names Maria Lopez, a member of staff" in await _blocked_reason(pg, "t-maria")
