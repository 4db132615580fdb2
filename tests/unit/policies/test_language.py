"""Language: per-message detection restricted to the configured languages, sticky for short messages, and
languages without a knowledge base routed to humans or to the fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.errors import ConfigError
from bot.core.ports import History, Proceed, Stop
from bot.core.types import InboundKind
from bot.orchestration.handoff import build_handoff
from policies.config import LanguageConfig
from policies.language import SWITCHED_FROM, Detector, LanguageKnowledge, language_step
from policies.phrases import Phrases
from tests.unit.policies.conftest import make_ctx


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("How do I reset my password?", "en", "en"),
        ("Wie setze ich mein Passwort zurück?", "en", "de"),
        ("¿Cómo cambio el correo de mi cuenta?", "en", "es"),
        ("Comment télécharger mes factures ?", "en", "fr"),
        ("Como faço para alterar a minha senha?", "en", "pt"),
        ("Come posso scaricare le fatture?", "en", "it"),
        # Short or ambiguous messages keep the conversation's language.
        ("ok", "de", "de"),
        ("gracias", "en", "en"),
        ("agent", "es", "es"),
        ("👍", "de", "de"),
        ("https://example.com/x 404", "es", "es"),
        # Code-switching: a confident English message in a German thread switches.
        ("Thanks, and how do I add a teammate to the workspace?", "de", "en"),
    ],
)
def test_detection(step: Callable[[str], Any], text: str, current: str, expected: str) -> None:
    outcome = step("language").check(make_ctx(text, language=current, history=History(language=current)))
    language = outcome.context.language if isinstance(outcome, Proceed) and outcome.context else current
    assert language == expected, (text, outcome.detail)


def test_buttons_keep_the_language(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("", kind=InboundKind.HUMAN_REQUEST, language="de"))
    assert isinstance(outcome, Proceed) and outcome.context is None


def test_unsupported_language_in_context_falls_back_to_default(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("", kind=InboundKind.NOT_HELPFUL, language="xh"))
    assert isinstance(outcome, Proceed) and outcome.context is not None and outcome.context.language == "en"


def test_language_is_noted_for_metrics(step: Callable[[str], Any]) -> None:
    outcome = step("language").check(make_ctx("Wie setze ich mein Passwort zurück?"))
    assert outcome.context is not None and outcome.context.notes["language"] == "de"
    assert "de" in outcome.detail


def test_language_without_knowledge_goes_to_humans(step: Callable[[str], Any]) -> None:
    outcome = step("language_kb").check(make_ctx("Comment télécharger mes factures ?", language="fr"))
    assert isinstance(outcome, Stop) and outcome.reason == "language"
    assert "équipe" in outcome.text
    assert isinstance(step("language_kb").check(make_ctx("q", language="de")), Proceed)


def test_fallback_language_answers_with_the_button() -> None:
    policy = LanguageKnowledge(frozenset({"en"}), Phrases.shipped(), fallback="en")
    outcome = policy.check(make_ctx("Comment télécharger mes factures ?", language="fr"))
    assert isinstance(outcome, Proceed) and outcome.context is not None
    assert outcome.context.language == "en" and outcome.context.notes["language_fallback_from"] == "fr"


def test_single_language_needs_no_detection() -> None:
    assert Detector(("en",)).detect("Wie geht's?") == ("en", 1.0, 2)


def test_unknown_language_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="xx"):
        Detector(("en", "xx"))


def test_default_must_be_supported() -> None:
    with pytest.raises(ValueError, match="default language"):
        LanguageConfig(supported=["de"], default="en")


def test_languages_follow_the_knowledge_base() -> None:
    """No `supported` list: a KB in Japanese, Turkish and Dutch answers in those (and nothing else)."""
    detect = language_step(LanguageConfig.model_validate({}), frozenset({"ja", "tr", "nl"}), frozenset())
    assert set(detect.detector.languages) == {"ja", "tr", "nl"}
    assert detect.default in {"ja", "tr", "nl"}  # "en" is not answered, so it cannot be the thread's default
    assert detect.decide("パスワードを忘れました", detect.default, first=True)[0] == "ja"
    assert detect.decide("Şifremi nasıl sıfırlarım?", detect.default, first=True)[0] == "tr"
    assert detect.decide("Hoe wijzig ik mijn wachtwoord?", detect.default, first=True)[0] == "nl"


def test_supported_narrows_or_adds() -> None:
    config = LanguageConfig(supported=["en", "fr"], default="en", fallback="en")
    detect = language_step(config, frozenset({"en", "de"}), frozenset())
    assert detect.detector.languages == ("en", "fr")  # German articles are not answered; French gets the fallback


def test_the_kb_mix_settles_a_close_pair() -> None:
    """A short message that could be either goes to the KB's main language; a clearly Norwegian sentence stays
    Norwegian in a mostly Danish KB (the prior is flattened, so it only tips close calls)."""
    config = LanguageConfig.model_validate({})
    mostly_danish = language_step(config, frozenset({"da", "no"}), frozenset(), {"da": 90, "no": 10})
    mostly_norwegian = language_step(config, frozenset({"da", "no"}), frozenset(), {"da": 10, "no": 90})
    assert mostly_danish.decide("takk", "da", first=True)[0] == "da"
    assert mostly_norwegian.decide("takk", "no", first=True)[0] == "no"
    clearly = "Jeg får ikke logget inn på kontoen min, og jeg har prøvd å bytte passord tre ganger nå."
    assert mostly_danish.decide(clearly, "da", first=True)[0] == "no"


def test_the_thread_prior_keeps_a_short_message_in_the_thread_language() -> None:
    detect = language_step(LanguageConfig.model_validate({}), frozenset({"it", "es", "pt"}), frozenset())
    assert detect.decide("la factura", "it")[0] == "it"  # reads as Spanish or Italian: the thread wins
    assert detect.decide("Ciao, non riesco più ad accedere al mio account da ieri sera", "es")[0] == "it"


def test_code_switching_notes_the_earlier_language_for_the_card() -> None:
    detect = language_step(LanguageConfig.model_validate({}), frozenset({"en", "de"}), frozenset())
    ctx = make_ctx(
        "Können Sie mir bitte sagen, wie ich meine Rechnungsadresse ändere?",
        language="en",
        history=History(language="en", customer_texts=("How do I change my plan?",)),
    )
    outcome = detect.check(ctx)
    assert isinstance(outcome, Proceed) and outcome.context is not None
    assert outcome.context.language == "de" and outcome.context.notes[SWITCHED_FROM] == "en"
    summary = build_handoff(outcome.context, reason="sensitive:complaint", team="support").summary
    assert "Language: de (earlier in this thread: en)" in summary


SERBO_CROATIAN = frozenset({"sr", "hr", "bs"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gde je dugme za izvoz? Hteo bih da izvezem podatke.", "sr"),  # ekavian, "dugme"
        ("Tko mi može pomoći? Trebam račun za prošli tjedan.", "hr"),  # "tko", "tjedan"
        ("Sljedeće sedmice putujem, da li kartica radi u inostranstvu?", "bs"),  # ijekavian with "sedmica", "da li"
    ],
)
def test_marker_words_tell_serbian_croatian_and_bosnian_apart(text: str, expected: str) -> None:
    detect = language_step(LanguageConfig.model_validate({}), SERBO_CROATIAN, frozenset())
    assert detect.decide(text, detect.default, first=True)[0] == expected


def test_markers_only_weigh_among_the_answered_languages() -> None:
    detector = language_step(LanguageConfig.model_validate({}), frozenset({"en", "hr"}), frozenset()).detector
    assert set(detector.marker_evidence("gdje je tjedan, sta je to")) <= {"hr"}
    off = language_step(LanguageConfig.model_validate({"marker_weight": 1.0}), SERBO_CROATIAN, frozenset()).detector
    assert off.marker_evidence("gdje je tjedan") == {}
