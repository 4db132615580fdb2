"""Signals: sentiment per language and the complexity estimate that drives persona length and hybrid routing."""

from __future__ import annotations

import pytest

from policies.sentiment import Sentiment
from policies.signals import complexity

SENTIMENT = Sentiment.shipped()


@pytest.mark.parametrize(
    ("text", "language", "sign"),
    [
        ("This is the worst service ever, I'm furious!!!", "en", -1),
        ("Thanks, that worked perfectly", "en", 1),
        ("My payment failed and I lost my card", "en", 0),  # a problem report, not a mood
        ("Das ist eine Katastrophe, ich bin total enttäuscht", "de", -1),
        ("Vielen Dank, super Hilfe!", "de", 1),
        ("Das ist nicht gut", "de", -1),
        ("Es un servicio pésimo, qué vergüenza", "es", -1),
        ("¡Muchas gracias, excelente!", "es", 1),
        ("C'est nul, je suis déçu", "fr", -1),
        ("Ótimo atendimento, obrigado", "pt", 1),
        ("Che schifo, servizio pessimo", "it", -1),
        ("😡😡", "ja", -1),
        ("this is taking forever 🤬", "en", -1),
        ("🙂", "ja", 1),
    ],
)
def test_sentiment_direction(text: str, language: str, sign: int) -> None:
    score = SENTIMENT.score(text, language)
    assert score is not None
    if sign < 0:
        assert score <= -0.3, score
    elif sign > 0:
        assert score >= 0.3, score
    else:
        assert abs(score) < 0.3, score


def test_empty_text_has_no_sentiment() -> None:
    assert SENTIMENT.score("   ", "en") is None


@pytest.mark.parametrize(
    ("text", "complex_"),
    [
        ("How do I reset my password?", False),
        ("api is returning 402 payment required all of a sudden", False),
        ("legal wants a signed DPA", False),
        (
            "Our webhooks stopped arriving yesterday after we rotated the signing secret. We see 401 errors in the "
            "dashboard. We already re-deployed and checked the header. What else can we try?",
            True,
        ),
        (
            "Can you explain the difference between the Starter and Growth plans, and whether we can migrate our "
            "existing endpoints?",
            True,
        ),
    ],
)
def test_complexity(text: str, complex_: bool) -> None:
    assert (complexity(text) >= 0.5) is complex_
    assert 0.0 <= complexity(text) <= 1.0


@pytest.mark.parametrize(
    ("text", "language", "sign"),
    [
        ("أسوأ خدمة تعاملت معها، والتأخير مستمر", "ar", -1),
        ("الخدمة ممتازة، شكرا لكم", "ar", 1),
        ("sabse ghatiya company, bilkul bakwas", "hi", -1),
        ("bahut badhiya service, shukriya", "hi", 1),
        ("Waardeloze service, ik ben echt teleurgesteld", "nl", -1),
        ("Ужасный сервис, это позор", "ru", -1),
        ("Rezalet bir hizmet, berbat", "tr", -1),
        ("Fatalna obsługa, wstyd", "pl", -1),
        ("最悪です。二度と使わない", "ja", -1),
        ("本当に助かりました、ありがとう", "ja", 1),
        ("垃圾客服，骗子", "zh", -1),
        ("谢谢，非常满意", "zh", 1),
    ],
)
def test_sentiment_in_more_languages(text: str, language: str, sign: int) -> None:
    score = Sentiment.shipped().score(text, language)
    assert score is not None and score * sign >= 0.3, (text, score)


def test_arabic_article_and_hamza_forms_meet_the_lexicon() -> None:
    model = Sentiment.shipped()
    assert model.score("السيء", "ar") == model.score("سيء", "ar") != 0
    assert model.score("أسوأ", "ar") == model.score("اسوا", "ar") != 0
