"""Small talk as tables: greetings get "How can I help?" in the right language, questions and thanks do not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import policies
from bot.core.errors import ConfigError
from bot.core.ports import History, Proceed, Stop, StopAction
from bot.core.types import ChannelPolicy, InboundKind, Mode
from bot.settings import load_config
from policies.config import SmallTalkConfig
from policies.phrases import Phrases
from policies.smalltalk import Greetings, SmallTalk
from tests.unit.policies.conftest import build, make_ctx

PHRASES = Phrases.shipped()


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("hi", "en", "en"),
        ("Hello there!", "en", "en"),
        ("hey team 👋", "en", "en"),
        ("Good morning everyone", "en", "en"),
        ("Hi! I have a question", "en", "en"),
        ("anyone there?", "en", "en"),
        ("I need help please", "en", "en"),
        # A greeting only one language uses sets the thread's language, however short.
        ("Guten Tag", "en", "de"),
        ("Hallo zusammen", "en", "de"),
        ("Hola a todos", "en", "es"),
        ("Buenos días", "en", "es"),
        ("Bonjour", "en", "fr"),
        ("Olá, tudo bem?", "en", "pt"),
        ("Ciao!", "en", "it"),
        # A greeting the current language also uses keeps it ("hi" is common in German chat).
        ("hi", "de", "de"),
        ("Hey", "de", "de"),
        # Ambiguous between two other languages: keep the current one.
        ("hey", "es", "es"),
        # Introductions say who is writing, not what they need.
        ("Hi, I'm Dana from Acme", "en", "en"),
        ("Hello, this is Mark from Globex Inc.", "en", "en"),
        ("My name is Li.", "en", "en"),
        ("Hallo, ich bin Jana von Acme", "en", "de"),
        ("Hola, soy Ana de Acme", "en", "es"),
        ("Bonjour, je suis Élodie de Acme", "en", "fr"),
    ],
)
def test_greetings_get_a_prompt_in_the_customers_language(
    step: Callable[[str], Any], text: str, current: str, expected: str
) -> None:
    outcome = step("smalltalk").check(make_ctx(text, language=current))
    assert isinstance(outcome, Stop) and outcome.action is StopAction.REPLY and outcome.reason == "greeting", text
    assert outcome.language == expected, text
    assert outcome.text == PHRASES.say("greeting", expected)


@pytest.mark.parametrize(
    "text",
    [
        "hi, how do I reset my password?",
        "Hello, our invoices are wrong",
        "Can you help me with SSO?",
        "good",
        "team",
        "morning standup integration fails",
        "Hallo, wie ändere ich meine E-Mail-Adresse?",
        "thanks!",
        "",
        "I'm stuck at login",
        "THIS IS URGENT",
        "This is broken",
        "I'm Dana from Acme, our webhooks fail",
        "Hi, I'm Dana from Acme. How do I reset my password?",
        "I am unable to log in",
        "Hier ist Fehler 500",
    ],
)
def test_questions_are_not_small_talk(step: Callable[[str], Any], text: str) -> None:
    assert isinstance(step("smalltalk").check(make_ctx(text)), Proceed), text


def test_buttons_are_not_small_talk(step: Callable[[str], Any]) -> None:
    assert isinstance(step("smalltalk").check(make_ctx("hi", kind=InboundKind.HUMAN_REQUEST)), Proceed)


@pytest.mark.parametrize(
    ("text", "earlier", "sentiment", "expected"),
    [
        ("...", (), 0.0, "reply"),
        ("👋", (), 0.0, "reply"),
        ("🙂🙂", (), 0.6, "reply"),
        ("??", ("How do I reset my password?",), 0.0, "reply"),
        # Twice in a row: say nothing rather than repeat the prompt.
        ("...", ("...",), 0.0, "ignore"),
        # An angry face is not small talk: the sensitive step takes it.
        ("😡", (), -0.5, "proceed"),
    ],
)
def test_messages_without_words(
    step: Callable[[str], Any], text: str, earlier: tuple[str, ...], sentiment: float, expected: str
) -> None:
    ctx = make_ctx(text, language="es", history=History(customer_texts=earlier), sentiment=sentiment)
    outcome = step("smalltalk").check(ctx)
    if expected == "proceed":
        assert isinstance(outcome, Proceed)
        return
    assert isinstance(outcome, Stop) and outcome.reason == "no_words"
    if expected == "reply":
        assert outcome.action is StopAction.REPLY and outcome.text == PHRASES.say("no_words", "es")
    else:
        assert outcome.action is StopAction.IGNORE


def test_a_greeting_never_switches_to_a_language_we_cannot_speak() -> None:
    policy = SmallTalk(Greetings.of(SmallTalkConfig.model_validate({})), PHRASES, frozenset({"en", "de"}))
    outcome = policy.check(make_ctx("Hola", language="en"))
    assert isinstance(outcome, Stop) and outcome.language == "en" and outcome.text == PHRASES.say("greeting", "en")


def test_small_talk_can_be_switched_off() -> None:
    policy_set = build(smalltalk=SmallTalkConfig.model_validate({"enabled": False}))
    [policy] = [p for p in policy_set.input if p.name == "smalltalk"]
    assert isinstance(policy.check(make_ctx("hi")), Proceed)
    assert isinstance(policy.check(make_ctx("...")), Proceed)


def test_every_supported_language_has_greetings_and_replies() -> None:
    config = policies.default_config()
    for language in ("en", "de", "es", "fr", "pt", "it"):
        assert config.smalltalk.greetings[language] and config.smalltalk.fillers[language], language
        for key in ("greeting", "no_words"):
            assert PHRASES.say(key, language) != PHRASES.say(key, "en") or language == "en", (language, key)


def test_config_file_adds_greetings_per_language(tmp_path: Path) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text('[smalltalk.greetings]\nde = ["tach", "moinsen"]\n')
    config = load_config(path)
    assert config.smalltalk.greetings["de"] == ["tach", "moinsen"]
    assert "hello" in config.smalltalk.greetings["en"]  # other languages keep the shipped list
    policy = build(smalltalk=config.smalltalk)
    [step] = [p for p in policy.input if p.name == "smalltalk"]
    outcome = step.check(make_ctx("Moinsen!"))
    assert isinstance(outcome, Stop) and outcome.language == "de"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[smalltalk]\ngreeting = ['hi']\n", "smalltalk.greeting"),
        ("[smalltalk.greetings]\nEnglish = ['hi']\n", "ISO 639-1"),
        ("[smalltalk.fillers]\nen = ['...']\n", "has no words"),
    ],
)
def test_bad_small_talk_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_bare_failure_before_any_answer_asks_what_they_need(step: Callable[[str], Any]) -> None:
    ctx = make_ctx("no that didn't help", language="de", notes={"unanswered_failure": "didn't help"})
    outcome = step("smalltalk").check(ctx)
    assert isinstance(outcome, Stop) and outcome.action is StopAction.REPLY and outcome.reason == "clarify"
    assert outcome.text == PHRASES.say("clarify", "de")


@pytest.mark.parametrize(("mode", "reason"), [(Mode.AGENT_FIRST, "agent_first"), (Mode.PARALLEL, "parallel")])
@pytest.mark.parametrize("text", ["Guten Tag", "...", "Hi, I'm Dana from Acme"])
def test_agents_do_the_talking_in_agent_first_and_parallel(
    step: Callable[[str], Any], mode: Mode, reason: str, text: str
) -> None:
    """Not a prompt from the AI, and not a trip to the knowledge base ending as a false `no_knowledge` gap."""
    ctx = make_ctx(text, channel=ChannelPolicy(mode=mode), notes={"team": "billing"})
    outcome = step("smalltalk").check(ctx)
    assert isinstance(outcome, Stop) and outcome.action is StopAction.ESCALATE and outcome.reason == reason
    assert outcome.team == "billing"
    farewell = step("smalltalk").check(make_ctx("bye!", channel=ChannelPolicy(mode=mode)))
    assert isinstance(farewell, Stop) and farewell.action is StopAction.IGNORE


@pytest.mark.parametrize("mode", [Mode.AI_FIRST, Mode.PRE_APPROVAL, Mode.HYBRID])
def test_stock_prompts_need_no_approval(step: Callable[[str], Any], mode: Mode) -> None:
    assert isinstance(step("smalltalk").check(make_ctx("hi", channel=ChannelPolicy(mode=mode))), Stop)


def test_small_talk_comes_after_the_rules_that_always_mean_a_person() -> None:
    order = policies.INPUT_ORDER
    assert order.index("failed_attempts") < order.index("acknowledgement") < order.index("smalltalk")
    assert order.index("sensitive") < order.index("vip") < order.index("share") < order.index("smalltalk")
    assert order.index("smalltalk") < order.index("language_kb")


@pytest.mark.parametrize(
    ("text", "language", "farewell"),
    [
        ("bye!", "en", True),
        ("ok thanks, bye", "en", True),
        ("Have a good day", "en", True),
        ("see you later team", "en", True),
        ("Tschüss!", "de", True),
        ("hasta luego", "es", True),
        ("bye, how do I export my invoices?", "en", False),
        ("later today our webhooks failed", "en", False),
    ],
)
def test_a_farewell_ends_the_conversation_quietly(
    step: Callable[[str], Any], text: str, language: str, farewell: bool
) -> None:
    outcome = step("smalltalk").check(make_ctx(text, language=language))
    quiet = isinstance(outcome, Stop) and outcome.action is StopAction.IGNORE and outcome.reason == "farewell"
    assert quiet is farewell, text
