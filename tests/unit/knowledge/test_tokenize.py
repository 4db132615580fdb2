"""Script-aware words (knowledge/tokenize.py): unspaced scripts as bigrams, combining marks kept inside words,
Arabic spelling unified; and a KB in Chinese, Japanese, Arabic and Russian answers questions in those languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.types import Question
from knowledge.base import KnowledgeBase
from knowledge.index import tokenize
from knowledge.terms import terms
from knowledge.tokenize import words
from tests.unit.knowledge.conftest import article


def test_chinese_and_japanese_become_bigrams() -> None:
    assert words("我的银行卡丢了") == ["我的", "的银", "银行", "行卡", "卡丢", "丢了"]
    assert "紛失" in words("カードを紛失しました")
    assert words("iPhone充电 not working") == ["iphone", "充电", "not", "working"]
    assert words("卡") == ["卡"]


def test_thai_is_cut_into_bigrams_with_its_vowel_marks() -> None:
    out = words("บัตรหาย")
    assert out[0] == "บั" and all(len(w) == 2 for w in out)


def test_devanagari_vowel_signs_stay_inside_words() -> None:
    assert words("किताब कहाँ है") == ["किताब", "कहाँ", "है"]


def test_arabic_spelling_and_article_are_unified() -> None:
    assert words("الحساب") == words("حساب") == ["حساب"]
    assert words("وَالحِسَابُ") == ["حساب"]  # diacritics and the "and the" prefix
    assert words("أين") == words("اين")
    assert words("كل") == ["كل"]  # too short to lose a prefix


def test_cyrillic_is_case_folded_and_yo_unified() -> None:
    assert words("Ещё СЧЁТ") == ["еще", "счет"]


def test_bm25_and_content_words_use_the_same_words() -> None:
    assert tokenize("退款什么时候到账", "zh") == ["退款", "款什", "什么", "么时", "时候", "候到", "到账"]
    assert "退款" in terms("退款什么时候到账", "zh")
    assert tokenize("Refunds are charged", "en") == ["refund", "charg"]  # English stemming unchanged


@pytest.fixture
def multilingual_kb(tmp_path: Path, make_kb: Callable[..., KnowledgeBase]) -> KnowledgeBase:
    kb = tmp_path / "kb"
    for lang, items in {
        "zh": [("zh-refund", "退款政策", "年度套餐可在购买后十四天内申请退款。退款会在五到十个工作日内退回到您的银行卡。"),
               ("zh-password", "重置密码", "在登录页面点击忘记密码，然后按照邮件中的链接操作。链接一小时后失效。")],
        "ja": [("ja-refund", "返金について", "年間プランは購入後14日以内であれば返金できます。返金はカードに5〜10営業日で戻ります。"),
               ("ja-password", "パスワードの再設定", "ログイン画面でパスワードをお忘れの方をクリックし、メールのリンクを開いてください。")],
        "ar": [("ar-refund", "سياسة الاسترداد", "يمكن استرداد قيمة الاشتراك السنوي خلال أربعة عشر يوماً من الشراء."),
               ("ar-password", "إعادة تعيين كلمة المرور", "اضغط على نسيت كلمة المرور في صفحة الدخول واتبع الرابط في البريد.")],
        "ru": [("ru-refund", "Возврат денег", "Годовой тариф можно вернуть в течение 14 дней после покупки."),
               ("ru-password", "Сброс пароля", "Нажмите «Забыли пароль» на странице входа и перейдите по ссылке из письма.")],
    }.items():  # fmt: skip
        for art_id, title, body in items:
            article(kb, art_id, title, f"# {title}\n\n{body}", language=lang)
    return make_kb(kb)


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("退款要多久？", "zh", "zh-refund"),
        ("忘记密码怎么办", "zh", "zh-password"),
        ("返金はできますか", "ja", "ja-refund"),
        ("パスワードを忘れました", "ja", "ja-password"),
        ("كيف أسترد قيمة الاشتراك؟", "ar", "ar-refund"),
        ("نسيت كلمة المرور", "ar", "ar-password"),
        ("можно ли вернуть деньги за тариф", "ru", "ru-refund"),
        ("забыл пароль", "ru", "ru-password"),
    ],
)
async def test_questions_find_their_article_in_every_script(
    multilingual_kb: KnowledgeBase, question: str, language: str, expected: str
) -> None:
    retrieved = multilingual_kb.retrieve(question, language)
    assert retrieved is not None
    top = retrieved.index.articles[retrieved.ranking.bm25_top]
    assert top.id == expected, question
    assert multilingual_kb.language_mix() == {"zh": 2, "ja": 2, "ar": 2, "ru": 2}
    answer = await multilingual_kb.answer(Question(question, language))
    assert answer.articles and answer.articles[0].article_id == expected
