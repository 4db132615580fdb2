"""The agent's card says which article the AI actually quoted, and only adds others that are clearly relevant."""

from __future__ import annotations

from bot.core.ports import History
from bot.core.types import Answer, ArticleHit
from bot.orchestration.handoff import build_handoff, related_articles
from tests.unit.policies.conftest import make_ctx


def hit(article_id: str, score: float) -> ArticleHit:
    return ArticleHit(article_id, article_id.replace("-", " ").title(), score)


HITS = (hit("annual-billing", 0.43), hit("change-plan", 0.32), hit("pricing", 0.18), hit("refunds", 0.04))


def test_related_articles_are_the_clearly_relevant_others() -> None:
    assert [h.article_id for h in related_articles(HITS)] == ["change-plan", "pricing"]
    assert related_articles((hit("a", 0.95), hit("b", 0.04), hit("c", 0.01))) == ()
    assert related_articles((hit("a", 0.9),)) == ()
    assert related_articles(()) == ()


def test_card_cites_the_article_used_not_every_hit() -> None:
    history = History(
        ai_answers=1,
        last_articles=(hit("invoices", 0.9), hit("vat", 0.03), hit("refunds", 0.02)),
        transcript=(("Customer", "where is my invoice"), ("AI", "Invoices are in Billing.")),
    )
    handoff = build_handoff(make_ctx("still no invoice", history=history), reason="asked_for_human", team="billing")
    assert "AI answered: “Invoices are in Billing.” (citing Invoices)\n" in handoff.summary
    assert "Vat" not in handoff.summary and "Refunds" not in handoff.summary
    assert [c.article_id for c in handoff.cited] == ["invoices"]


def test_card_names_the_unsent_answers_article_and_what_else_is_relevant() -> None:
    answer = Answer("", 0.3, HITS)
    handoff = build_handoff(make_ctx("how much is growth"), reason="low_confidence", team="billing", answer=answer)
    assert "The AI's unsent answer drew on: Annual Billing; also relevant: Change Plan, Pricing" in handoff.summary
    assert "Refunds" not in handoff.summary and "0.30" not in handoff.summary  # no scores for people to decode
    assert [c.article_id for c in handoff.cited] == ["annual-billing", "change-plan", "pricing"]


def test_an_irrelevant_best_article_is_not_named() -> None:
    """Nothing in the KB clears the relevance floor (an off-topic question): naming its "best" article misleads."""
    answer = Answer("", 0.36, HITS, relevant=False)
    handoff = build_handoff(make_ctx("capital of France?"), reason="no_knowledge", team="", answer=answer)
    assert "Annual Billing" not in handoff.summary and handoff.cited == ()
    handoff = build_handoff(make_ctx("capital of France?"), reason="asked_for_human", team="", answer=Answer("", 0.36, HITS))
    assert "Annual Billing" not in handoff.summary  # only held-back answers (not sure, blocked) are worth naming
