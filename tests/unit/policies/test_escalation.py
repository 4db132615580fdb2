"""Escalation rules as tables: human requests, failed attempts, relevance floor, confidence threshold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.ports import History, Proceed, Stop, StopAction
from bot.core.types import Answer, ChannelPolicy, InboundKind
from tests.unit.policies.conftest import make_ctx


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("human", "en"),
        ("agent please", "en"),
        ("Can I talk to a real person?", "en"),
        ("I want to speak to someone about this", "en"),
        ("get me a human now", "en"),
        ("Ich möchte mit einem Menschen sprechen", "de"),
        ("Mitarbeiter bitte", "de"),
        ("Quiero hablar con una persona", "es"),
        ("agente", "es"),
        ("Je veux parler à un conseiller", "fr"),
        ("quero falar com uma pessoa", "pt"),
        ("vorrei parlare con un operatore", "it"),
        ("HUMAN PLEASE!!!", "en"),
    ],
)
def test_typed_requests_for_a_person(step: Callable[[str], Any], text: str, language: str) -> None:
    outcome = step("human_request").check(make_ctx(text, language=language))
    assert isinstance(outcome, Stop) and outcome.reason == "asked_for_human", text


@pytest.mark.parametrize(
    "text",
    [
        "How do I install the agent on our servers?",
        "Which user agent header do your webhooks send?",
        "Can a person without admin rights invite teammates?",
        "How do I reset my password?",
        "How does a manager approve a new teammate?",
        "¿Puede una persona sin permisos de administrador invitar a otros?",
        "Est-ce qu'une personne peut avoir deux comptes ?",
        "",
    ],
)
def test_questions_that_merely_mention_agents_are_not_requests(step: Callable[[str], Any], text: str) -> None:
    language = {"¿": "es", "E": "fr"}.get(text[:1], "en")
    assert isinstance(step("human_request").check(make_ctx(text, language=language)), Proceed)


def test_the_button_escalates_at_any_point(step: Callable[[str], Any]) -> None:
    outcome = step("human_request").check(make_ctx("", kind=InboundKind.HUMAN_REQUEST))
    assert isinstance(outcome, Stop) and outcome.action is StopAction.ESCALATE
    assert outcome.reason == "asked_for_human" and outcome.detail == "button"


def test_human_request_carries_the_noted_team(step: Callable[[str], Any]) -> None:
    outcome = step("human_request").check(make_ctx("human", notes={"team": "billing"}))
    assert isinstance(outcome, Stop) and outcome.team == "billing"


ANSWERED = History(ai_answers=1, customer_texts=("How do I switch to annual billing?",))


@pytest.mark.parametrize(
    ("kind", "text", "history", "expected"),
    [
        # A first "Not helpful" click (already counted by the dispatcher): ask for detail, remind of the button.
        (InboundKind.NOT_HELPFUL, "", History(failed_attempts=1, ai_answers=1), "clarify"),
        # The second click: never a third AI try.
        (InboundKind.NOT_HELPFUL, "", History(failed_attempts=2, ai_answers=1), "repeated_failure"),
        # A typed "that didn't help" after one answer: counted, the AI may try once more...
        (InboundKind.MESSAGE, "that didn't help, the annual option is greyed out", ANSWERED, "failed_attempt"),
        (InboundKind.MESSAGE, "Das hat nicht geholfen, die Option fehlt", ANSWERED, "failed_attempt"),
        # ... and with nothing new to search for, it asks for detail like a first "Not helpful" click (counted).
        (InboundKind.MESSAGE, "that didn't help", ANSWERED, "clarify_counted"),
        (InboundKind.MESSAGE, "Das hat leider nicht geholfen", ANSWERED, "clarify_counted"),
        (InboundKind.MESSAGE, "no, still broken", ANSWERED, "clarify_counted"),
        # Typed failure after an earlier failure: escalate.
        (InboundKind.MESSAGE, "still doesn't work", History(failed_attempts=1, ai_answers=2), "repeated_failure"),
        # Re-asking the same question counts as a failure.
        (InboundKind.MESSAGE, "how do I switch to annual billing", ANSWERED, "failed_attempt"),
        (
            InboundKind.MESSAGE,
            "How do I switch to annual billing??",
            History(failed_attempts=1, ai_answers=2, customer_texts=ANSWERED.customer_texts),
            "repeated_failure",
        ),
        # A person answered last (then resolved the thread): any typed failure goes back to a person.
        (InboundKind.MESSAGE, "still broken", History(ai_answers=1, human_replied=True), "asked_for_human"),
        (InboundKind.MESSAGE, "that didn't work, error 500", History(human_replied=True), "asked_for_human"),
        (InboundKind.MESSAGE, "And where are the invoices?", History(human_replied=True), "proceed"),
        # A greeting or a thanks said twice is not a re-asked question.
        (InboundKind.MESSAGE, "hi", History(ai_answers=1, customer_texts=("hi", "How do I reset it?")), "proceed"),
        (InboundKind.MESSAGE, "ok thanks", History(ai_answers=1, customer_texts=("ok thanks",)), "proceed"),
        # A new question is not a failure.
        (InboundKind.MESSAGE, "And where do I download invoices?", ANSWERED, "proceed"),
        # Nothing answered yet: nothing can have failed. A bare failure is noted (small talk asks what they need)...
        (InboundKind.MESSAGE, "no that didn't help", History(), "unanswered"),
        (InboundKind.MESSAGE, "it still doesn't work", History(customer_texts=("hi",)), "unanswered"),
        # ... said twice, a person takes over.
        (InboundKind.MESSAGE, "nope", History(customer_texts=("that didn't help",)), "asked_for_human"),
        # A failure with something to ask about is a question.
        (InboundKind.MESSAGE, "SSO doesn't work", History(), "proceed"),
        (InboundKind.MESSAGE, "that didn't help, how do I reset my password", History(), "proceed"),
        (InboundKind.MESSAGE, "How do I reset my password?", History(), "proceed"),
    ],
)
def test_failed_attempts(
    step: Callable[[str], Any], kind: InboundKind, text: str, history: History, expected: str
) -> None:
    outcome = step("failed_attempts").check(
        make_ctx(text, kind=kind, history=history, language="de" if "Das" in text else "en")
    )
    if expected == "proceed":
        assert isinstance(outcome, Proceed) and outcome.context is None
    elif expected == "unanswered":  # nothing counted; the failure note eases the sentiment trigger
        assert isinstance(outcome, Proceed) and outcome.context is not None
        notes = outcome.context.notes
        assert "failed_attempt" not in notes and "failure" in notes and "unanswered_failure" in notes
    elif expected == "failed_attempt":
        assert isinstance(outcome, Proceed) and outcome.context is not None
        assert outcome.context.notes["failed_attempt"] == "1"
    elif expected == "clarify_counted":
        assert isinstance(outcome, Stop) and outcome.action is StopAction.REPLY and outcome.reason == "clarify"
        assert outcome.failed_attempt and outcome.text
    elif expected == "clarify":
        assert isinstance(outcome, Stop) and outcome.action is StopAction.REPLY and outcome.reason == "clarify"
        assert "Talk to a human" in outcome.text
    else:
        assert isinstance(outcome, Stop) and outcome.action is StopAction.ESCALATE and outcome.reason == expected


def test_clarify_speaks_the_customers_language(step: Callable[[str], Any]) -> None:
    ctx = make_ctx("", kind=InboundKind.NOT_HELPFUL, language="es", history=History(failed_attempts=1, ai_answers=1))
    outcome = step("failed_attempts").check(ctx)
    assert isinstance(outcome, Stop) and "persona" in outcome.text


@pytest.mark.parametrize(
    ("answer", "threshold", "reason"),
    [
        (Answer("text", 0.9, relevant=False), 0.7, "no_knowledge"),
        (Answer("", 0.9), 0.7, "no_knowledge"),
        (Answer("text", 0.69), 0.7, "low_confidence"),
        (Answer("text", 0.5), 0.4, None),
        (Answer("text", 0.7), 0.7, None),
    ],
)
def test_relevance_and_confidence(
    step: Callable[[str], Any], answer: Answer, threshold: float, reason: str | None
) -> None:
    ctx = make_ctx("q", channel=ChannelPolicy(threshold=threshold))
    outcomes = [step("relevance").check(ctx, answer), step("confidence").check(ctx, answer)]
    stops = [o for o in outcomes if isinstance(o, Stop)]
    assert (stops[0].reason if stops else None) == reason


def test_no_knowledge_routes_by_the_question_not_the_unrelated_article(step: Callable[[str], Any]) -> None:
    ctx = make_ctx("q", notes={"team": "security"})
    outcome = step("relevance").check(ctx, Answer("x", 0.2, relevant=False, team="billing"))
    assert isinstance(outcome, Stop) and outcome.team == "security"


@pytest.mark.parametrize(
    ("text", "language", "quiet"),
    [
        ("thanks!", "en", True),
        ("ok thank you so much", "en", True),
        ("Great, that worked 👍", "en", True),
        ("👍", "en", True),
        ("🙏🙏", "en", True),
        (":)", "en", True),
        ("ok danke", "de", True),
        ("Vielen Dank, hat geklappt", "de", True),
        ("muchas gracias", "es", True),
        ("merci beaucoup", "fr", True),
        ("thanks for your help", "en", True),
        ("thank you for the quick reply!", "en", True),
        ("Danke für die schnelle Hilfe", "de", True),
        ("Danke!", "en", True),  # another language's thanks in an English thread (too short to switch)
        ("gracias", "en", True),
        ("help me", "en", False),  # words that only surround a thanks are not one
        ("for the answer", "en", False),
        ("thanks for nothing", "en", False),
        ("thanks, but how do I export invoices", "en", False),
        ("ok?", "en", False),
        ("ok but it still fails", "en", False),
        ("ok 😡", "en", False),
        ("😡", "en", False),
        ("...", "en", False),  # not a thanks: the small-talk step asks what they need
        ("??", "en", False),
        ("danke, und wie ändere ich die E-Mail", "de", False),
    ],
)
def test_acknowledgements_keep_the_ai_quiet(step: Callable[[str], Any], text: str, language: str, quiet: bool) -> None:
    ctx = step("signals").check(make_ctx(text, language=language, history=ANSWERED)).context
    outcome = step("acknowledgement").check(ctx)
    assert (isinstance(outcome, Stop) and outcome.action is StopAction.IGNORE) is quiet, text


@pytest.mark.parametrize(("text", "quiet"), [("👍", False), ("🙂", False), ("thanks!", True)])
def test_a_wordless_message_opening_a_thread_acknowledges_nothing(
    step: Callable[[str], Any], text: str, quiet: bool
) -> None:
    ctx = step("signals").check(make_ctx(text)).context
    outcome = step("acknowledgement").check(ctx)
    assert (isinstance(outcome, Stop) and outcome.action is StopAction.IGNORE) is quiet, text


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "pt", "it"])
def test_typing_the_not_helpful_label_is_a_failure(step: Callable[[str], Any], language: str) -> None:
    """A customer who types what the button says ("No me sirvió") means what the button means."""
    from policies.phrases import Phrases

    label = Phrases.shipped().say("label_not_helpful", language)
    ctx = make_ctx(label, language=language, history=ANSWERED)
    outcome = step("failed_attempts").check(ctx)
    assert isinstance(outcome, Stop) and outcome.reason == "clarify" and outcome.failed_attempt, (language, label)
