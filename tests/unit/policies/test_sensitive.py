"""Sensitive topics as a table: every shipped category in several languages, and ordinary questions left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.ports import Proceed, Stop
from bot.core.types import InboundKind, Priority
from policies.config import SensitiveConfig
from policies.sensitive import SensitiveTopics
from tests.unit.policies.conftest import make_ctx

CASES = [
    ("This is unacceptable, I've been on hold for 2 hours", "en", "complaint"),
    ("I am so frustrated with your service", "en", "complaint"),
    ("Das ist eine Frechheit, ich bin sehr enttäuscht", "de", "complaint"),
    ("Estoy harta, es una vergüenza", "es", "complaint"),
    ("I want a refund for last month", "en", "billing_dispute"),
    ("You charged me twice this month", "en", "billing_dispute"),
    ("Ich möchte eine Rückerstattung", "de", "billing_dispute"),
    ("Me cobraron dos veces, quiero un reembolso", "es", "billing_dispute"),
    ("Je veux un remboursement", "fr", "billing_dispute"),
    ("Was our data leaked in a breach?", "en", "data_privacy"),
    ("Please delete my data under GDPR", "en", "data_privacy"),
    ("Bitte löschen Sie meine Daten (DSGVO)", "de", "data_privacy"),
    ("Quiero que borren mis datos personales", "es", "data_privacy"),
    ("I'm going to find you and hurt you", "en", "threat_abuse"),
    ("you fucking idiots", "en", "threat_abuse"),
    ("Sois unos gilipollas", "es", "threat_abuse"),
    ("Our lawyer will be in touch about a lawsuit", "en", "legal"),
    ("Is your product compliant with our regulator's compliance rules?", "en", "legal"),
    ("Wir werden Sie verklagen, unser Anwalt meldet sich", "de", "legal"),
    ("Voy a hablar con mi abogado", "es", "legal"),
]


@pytest.mark.parametrize(("text", "language", "category"), CASES)
def test_sensitive_topics_escalate_before_any_answer(
    step: Callable[[str], Any], text: str, language: str, category: str
) -> None:
    ctx = step("signals").check(make_ctx(text, language=language)).context
    outcome = step("sensitive").check(ctx)
    assert isinstance(outcome, Stop) and outcome.reason == f"sensitive:{category}", (text, outcome)


@pytest.mark.parametrize(
    "text",
    [
        "How do I reset my password?",
        "Where can I download our invoices?",
        "Can I switch to annual billing?",
        "How do webhook retries work?",
        "Does SSO work with Okta?",
        "My card hasn't arrived yet, when will it come?",
        "Thanks, that worked!",
        "Wie setze ich mein Passwort zurück?",
    ],
)
def test_ordinary_questions_are_not_sensitive(step: Callable[[str], Any], text: str) -> None:
    language = "de" if "Passwort" in text else "en"
    ctx = step("signals").check(make_ctx(text, language=language)).context
    assert isinstance(step("sensitive").check(ctx), Proceed)


def test_categories_carry_team_priority_and_admin_flag(step: Callable[[str], Any]) -> None:
    billing = step("sensitive").check(make_ctx("I want a refund", sentiment=0.0))
    assert isinstance(billing, Stop) and billing.team == "billing" and not billing.flag_admins
    threat = step("sensitive").check(make_ctx("I will kill you", sentiment=0.0))
    assert isinstance(threat, Stop) and threat.flag_admins and threat.priority is Priority.URGENT
    assert "reported to admins" in threat.detail


def test_specific_category_beats_the_general_complaint(step: Callable[[str], Any]) -> None:
    outcome = step("sensitive").check(make_ctx("This is ridiculous, you charged me twice", sentiment=-0.8))
    assert isinstance(outcome, Stop) and outcome.reason == "sensitive:billing_dispute"


def test_negative_sentiment_alone_is_a_complaint(step: Callable[[str], Any]) -> None:
    outcome = step("sensitive").check(make_ctx("hmm", sentiment=-0.9))
    assert isinstance(outcome, Stop) and outcome.reason == "sensitive:complaint" and "sentiment" in outcome.detail


def test_buttons_pass_through(step: Callable[[str], Any]) -> None:
    assert isinstance(step("sensitive").check(make_ctx("", kind=InboundKind.HUMAN_REQUEST)), Proceed)


def test_config_adds_keywords_and_categories_and_can_disable() -> None:
    config = SensitiveConfig.model_validate(
        {
            "categories": {
                "billing_dispute": {"keywords": {"en": ["chargeback please"]}},
                "outage": {"team": "oncall", "keywords": {"en": ["is it down"]}},
                "legal": {"enabled": False},
            }
        }
    )
    topics = SensitiveTopics.of(config)
    found = topics.classify("is it down for everyone?", "en", 0.0)
    assert found is not None and found[0].name == "outage" and found[0].category.team == "oncall"
    assert topics.classify("I want a refund", "en", 0.0) is None  # the English list was replaced
    assert topics.classify("Ich möchte eine Rückerstattung", "de", 0.0) is not None  # German kept
    assert topics.classify("my lawyer says hi", "en", 0.0) is None
    off = SensitiveTopics.of(SensitiveConfig.model_validate({"enabled": False}))
    assert off.classify("I want a refund, you idiots", "en", -1.0) is None


TOPICS = SensitiveTopics.of(SensitiveConfig.model_validate({}))


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("这是什么破服务，我要投诉", "zh", "complaint"),
        ("我要找律师起诉你们", "zh", "legal"),
        ("ひどすぎる対応です", "ja", "complaint"),
        ("バカにしてるの？", "ja", "threat_abuse"),
        ("弁護士に相談します", "ja", "legal"),
        ("최악이에요 진짜", "ko", "complaint"),
        ("Я напишу жалобу", "ru", "complaint"),
        ("Złożę skargę", "pl", "complaint"),
        ("Ik wil een klacht indienen", "nl", "complaint"),
        ("Avukatıma gideceğim, dava açacağım", "tr", "legal"),
        ("سأرفع دعوى في المحكمة", "ar", "legal"),
        ("yeh bilkul ghatiya service hai", "hi", "complaint"),
    ],
)
def test_sensitive_topics_in_more_languages(text: str, language: str, category: str) -> None:
    found = TOPICS.classify(text, language, None)
    assert found is not None and found[0].name == category, (text, found and found[1])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的卡丢了，怎么办？", "zh"),
        ("パスワードを忘れました", "ja"),
        ("비밀번호를 바꾸고 싶어요", "ko"),
        ("Как изменить пароль?", "ru"),
        ("Kartım henüz gelmedi", "tr"),
        ("لم تصل بطاقتي بعد", "ar"),
        ("mera card abhi tak nahi aaya", "hi"),
    ],
)
def test_plain_problem_reports_in_more_languages_are_not_sensitive(text: str, language: str) -> None:
    assert TOPICS.classify(text, language, None) is None
