"""Reading what a question asks for: steps, a time, a duration, a price, a figure; and figures across spellings."""

from __future__ import annotations

import pytest

from knowledge.asks import (
    DURATION_SAID,
    MONEY_SAID,
    QUANTITY,
    WHEN_SAID,
    answer_form,
    figures,
    wants_steps,
    without_ask_words,
)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("queremos pasar de Growth a Starter, ¿cuándo se aplica el cambio?", WHEN_SAID),
        ("when does the downgrade take effect?", WHEN_SAID),
        ("and how long does that take?", DURATION_SAID),
        ("Wie lange ist der Link gültig?", DURATION_SAID),
        ("how much do we save if we pay for the year upfront", MONEY_SAID),
        ("how many endpoints can we create on the starter tier", QUANTITY),
        ("whats the biggest attachment i can upload", QUANTITY),
        ("how do I invite teammates?", None),
        ("can an endpoint be plain http?", None),
    ],
)
def test_the_form_of_the_answer(query: str, form: object) -> None:
    assert answer_form(query) is form


@pytest.mark.parametrize(
    ("sentence", "form", "says"),
    [
        ("Upgrades take effect immediately; downgrades at the end of your current billing period.", WHEN_SAID, True),
        ("Las bajadas de plan, al final del periodo de facturación actual.", WHEN_SAID, True),
        ("Al pasar de Growth (30 días) a Starter (7 días), se eliminan los eventos.", WHEN_SAID, False),
        ("Customers on any paid plan get access within 2 business days.", DURATION_SAID, True),
        ("Relaybase has a SOC 2 Type II report.", DURATION_SAID, False),
        ("Starter costs $490/year instead of $588.", MONEY_SAID, True),
        ("Invoices paid by bank transfer have net 30 payment terms.", MONEY_SAID, False),
    ],
)
def test_what_a_sentence_says(sentence: str, form: object, says: bool) -> None:
    assert bool(form.search(sentence)) is says  # type: ignore[attr-defined]


def test_figures_meet_across_spellings() -> None:
    assert figures("how much are the extra events after 2M on growth") == {"#2000000"}
    assert figures("100,000 on Starter, 2,000,000 on Growth") == {"#100000", "#2000000"}
    assert figures("100k events") == {"#100000"}
    # Small numbers, versions and addresses tie nothing together.
    assert figures("step 3 of the v2 API, 2 minutes, from 203.0.113.10") == set()


@pytest.mark.parametrize(
    ("query", "steps"),
    [
        ("i want to close my personal relaybase login but the workspace should stay", True),
        ("we need to move our workspace to the EU", True),
        ("is there a plan that includes SSO or do we need to talk to sales", False),
        ("i want to know whether SSO is included", False),
    ],
)
def test_a_task_stated_as_a_wish_asks_for_steps(query: str, steps: bool) -> None:
    assert wants_steps(query) is steps


def test_ask_words_are_not_the_subject() -> None:
    assert without_ask_words("how long do you keep retrying").split() == ["do", "you", "keep", "retrying"]
    assert "biggest" not in without_ask_words("whats the biggest attachment")
