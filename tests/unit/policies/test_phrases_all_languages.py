"""Greetings, farewells and "talk to a person" in every language we ship stock sentences for (issue 16.1): messages
as customers type them, through the real steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import policies
from bot.core.ports import Proceed, Stop, StopAction
from policies.defaults import shipped
from policies.phrases import Phrases
from tests.unit.policies.conftest import make_ctx

PHRASES = Phrases.shipped()
LANGUAGES = sorted(shipped("phrases"))  # the languages with stock sentences

GREETINGS = [
    ("nl", "Hoi allemaal!"), ("nl", "Goedemorgen, ik heb een vraag"),
    ("pl", "Dzień dobry"), ("pl", "Cześć, mam pytanie"),
    ("sv", "Hej allihop!"), ("sv", "God morgon, jag har en fråga"),
    ("da", "Hej, jeg har et spørgsmål"), ("da", "Godmorgen"),
    ("no", "Hei, jeg trenger hjelp"), ("no", "God morgen alle sammen"),
    ("fi", "Moi!"), ("fi", "Hyvää päivää, minulla on kysymys"),
    ("tr", "Merhaba, bir sorum var"), ("tr", "Günaydın herkese"),
    ("ru", "Здравствуйте!"), ("ru", "Добрый день, у меня вопрос"),
    ("ar", "السلام عليكم"), ("ar", "مرحبا، عندي سؤال"),
    ("hi", "Namaste ji"), ("hi", "नमस्ते, मेरा एक सवाल है"),
    ("ja", "こんにちは"), ("ja", "お世話になっております。よろしくお願いします"),
    ("zh", "你好！"), ("zh", "您好，在吗？"),
    ("ko", "안녕하세요!"), ("ko", "안녕하세요, 질문이 있어요"),
    ("id", "Halo kak, mau tanya"), ("id", "Selamat pagi"),
    ("vi", "Xin chào!"), ("vi", "Chào bạn, cho tôi hỏi"),
]
FAREWELLS = [
    ("nl", "Doei!"), ("pl", "Do widzenia"), ("sv", "Hej då!"), ("da", "Vi ses"), ("no", "Ha det bra!"),
    ("fi", "Näkemiin"), ("tr", "Görüşürüz"), ("ru", "До свидания!"), ("ar", "مع السلامة"), ("hi", "Alvida"),
    ("ja", "失礼します"), ("zh", "再见"), ("ko", "수고하세요"), ("id", "Sampai jumpa"), ("vi", "Tạm biệt"),
]
PERSON = [
    ("nl", "Ik wil graag met een medewerker spreken"), ("nl", "medewerker alstublieft"),
    ("pl", "Chcę porozmawiać z człowiekiem"), ("pl", "Połącz mnie z konsultantem"),
    ("sv", "Kan jag få prata med en människa?"), ("da", "Jeg vil gerne tale med et menneske"),
    ("no", "Kan jeg snakke med et menneske?"), ("fi", "Haluan puhua ihmiselle"),
    ("tr", "Müşteri temsilcisi ile görüşmek istiyorum"), ("tr", "temsilciye bağlayın lütfen"),
    ("ru", "Соедините с оператором, пожалуйста"), ("ru", "Хочу поговорить с живым человеком"),
    ("ar", "اريد التحدث مع موظف"), ("ar", "ابي اكلم احد من خدمة العملاء"),
    ("hi", "Mujhe kisi insaan se baat karni hai"), ("hi", "मुझे किसी से बात करनी है"),
    ("ja", "オペレーターにつないでください"), ("ja", "人と話したいです"),
    ("zh", "我要转人工"), ("zh", "请帮我找人工客服"),
    ("ko", "상담원 연결해 주세요"), ("ko", "상담원과 통화하고 싶어요"),
    ("id", "Saya mau bicara dengan manusia"), ("id", "Bisa bicara dengan agen?"),
    ("vi", "Cho tôi gặp nhân viên"), ("vi", "Tôi muốn nói chuyện với người thật"),
]
# Questions that share words with those phrases and must stay questions.
QUESTIONS = [
    ("nl", "Hallo, hoe wijzig ik mijn e-mailadres?"), ("pl", "Dzień dobry, jak zmienić hasło?"),
    ("ru", "Здравствуйте, как изменить пароль?"), ("zh", "你好，怎么修改密码？"), ("zh", "人工智能功能怎么开启？"),
    ("ja", "こんにちは、パスワードの変更方法を教えてください"), ("ko", "안녕하세요, 비밀번호를 어떻게 바꾸나요?"),
    ("tr", "Merhaba, faturamı nereden indirebilirim?"), ("vi", "Xin chào, làm sao để đổi mật khẩu?"),
    ("id", "Halo, bagaimana cara mengganti kata sandi?"), ("ar", "مرحبا، كيف اغير كلمة المرور؟"),
]


def test_every_language_with_stock_sentences_has_small_talk_and_person_phrases() -> None:
    config = policies.default_config()
    assert len(LANGUAGES) >= 21
    for language in LANGUAGES:
        assert config.smalltalk.greetings.get(language), language
        assert config.smalltalk.farewells.get(language), language
        assert config.smalltalk.fillers.get(language), language
        assert config.escalation.human_phrases.get(language), language


@pytest.mark.parametrize(("language", "text"), GREETINGS)
def test_greetings_get_the_prompt_in_that_language(step: Callable[[str], Any], language: str, text: str) -> None:
    outcome = step("smalltalk").check(make_ctx(text, language=language))
    assert isinstance(outcome, Stop) and outcome.reason == "greeting", text
    assert outcome.language == language and outcome.text == PHRASES.say("greeting", language)


@pytest.mark.parametrize(("language", "text"), FAREWELLS)
def test_farewells_are_left_quiet(step: Callable[[str], Any], language: str, text: str) -> None:
    outcome = step("smalltalk").check(make_ctx(text, language=language))
    assert isinstance(outcome, Stop) and outcome.action is StopAction.IGNORE, text


@pytest.mark.parametrize(("language", "text"), PERSON)
def test_asking_for_a_person(step: Callable[[str], Any], language: str, text: str) -> None:
    outcome = step("human_request").check(make_ctx(text, language=language))
    assert isinstance(outcome, Stop) and outcome.reason == "asked_for_human", text


@pytest.mark.parametrize(("language", "text"), QUESTIONS)
def test_questions_stay_questions(step: Callable[[str], Any], language: str, text: str) -> None:
    assert isinstance(step("smalltalk").check(make_ctx(text, language=language)), Proceed), text
    assert isinstance(step("human_request").check(make_ctx(text, language=language)), Proceed), text
