"""Packaged sentiment lexicons (issue 16.2): read from the installed packages, used only for words our own lists do
not know, never turning a plain problem report into a complaint."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from policies import lexicon_packages
from policies.defaults import shipped
from policies.sentiment import Lexicon, Sentiment

SHIPPED = Sentiment.shipped()
BEFORE = Sentiment.shipped(packages=False)
REPORTS = tomllib.loads((Path(__file__).parents[3] / "bench" / "problem_reports.toml").read_text(encoding="utf-8"))
# The shipped sensitive threshold (policies/defaults/sensitive.toml) and the one the ≤ 5 % bound chose.
THRESHOLDS = (-0.30, -0.01)


@pytest.mark.parametrize("language", ["de", "fr", "pt"])
def test_each_configured_package_lexicon_is_installed_and_read(language: str) -> None:
    package = SHIPPED.lexicons[language].package
    assert len(package) > 500
    assert min(package.values()) < -2.0 and max(package.values()) > 2.0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Das Personal war unhöflich und arrogant.", "de"),
        ("Un accueil glacial et méprisant.", "fr"),
        ("Atendimento arrogante e desrespeitoso.", "pt"),
    ],
)
def test_words_only_the_package_knows_now_read_negative(text: str, language: str) -> None:
    assert (BEFORE.score(text, language) or 0.0) > -0.01
    assert (SHIPPED.score(text, language) or 0.0) <= -0.30


@pytest.mark.parametrize("language", sorted(REPORTS))
def test_plain_problem_reports_stay_questions(language: str) -> None:
    escalated = [t for t in REPORTS[language] if (SHIPPED.score(t, language) or 0.0) <= THRESHOLDS[0]]
    assert escalated == []


def test_our_own_word_wins_over_the_package_and_neutral_words_score_nothing() -> None:
    lexicon = Lexicon.of({"negative": ["mist"], "neutral": ["fehler*"]}, {"mist": 4.0, "fehlerhaft": -4.0, "öde": -3.0})
    assert lexicon.valence("mist") == -2.0
    assert lexicon.valence("fehlerhaft") == 0.0
    assert lexicon.valence("ode") == 0.0  # package entries are folded when read, not here: raw keys do not match
    assert Lexicon.of({}, {"ode": -3.0}, ("e",)).valence("odes") == 0.0  # too short a stem to strip a suffix
    assert Lexicon.of({}, {"miserabel": -4.0}, ("en",)).valence("miserabelen") == -4.0


def test_a_missing_package_gives_an_empty_lexicon_and_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # Recorded on the module's logger itself: other tests configure logging (propagation), so caplog is not reliable.
    warnings: list[str] = []
    monkeypatch.setattr(lexicon_packages.log, "warning", lambda msg, *args: warnings.append(msg % args))
    lexicon_packages._load.cache_clear()
    spec = {"distribution": "no-such-distribution-frontdesk", "file": "x.xml", "format": "pattern"}
    assert lexicon_packages.load(spec) == {}
    assert len(warnings) == 1 and "no-such-distribution-frontdesk" in warnings[0] and "not used" in warnings[0]


def test_every_package_spec_names_a_known_format() -> None:
    for spec in shipped("sentiment")["packages"].values():
        assert spec["format"] in ("pattern", "vader")
        assert lexicon_packages.load(spec)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Eine Rückerstattung ist leider nicht möglich, wenn die Zahlung älter als 90 Tage ist.", "de"),
        ("Ungültige Links laufen nach 24 Stunden ab; fordern Sie einfach einen neuen an.", "de"),
        ("Un remboursement est impossible après 90 jours.", "fr"),
        ("Une carte bloquée ne peut pas être débloquée, vous recevrez une nouvelle carte.", "fr"),
        ("Não é possível cancelar um pagamento já processado.", "pt"),
        ("Links inválidos expiram depois de 24 horas; peça um novo.", "pt"),
    ],
)
def test_factual_answers_stay_clear_of_the_reply_guard(text: str, language: str) -> None:
    """The reply guardrail blocks an answer at -0.6 (policies/config.py): a policy stated plainly is not negative."""
    assert (SHIPPED.score(text, language) or 0.0) > -0.6
