"""Sentence splitting as a table: list markers, abbreviations and decimals never end a sentence."""

from __future__ import annotations

import pytest

from policies.text import is_list_item, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go to Settings. Click Save.", ["Go to Settings.", "Click Save."]),
        # A numbered step is one sentence, marker included (it used to split into "1." and "Go to Settings").
        ("1. Go to Settings\n2. Click Save", ["1. Go to Settings", "2. Click Save"]),
        ("1) Open the endpoint. It has a secret.", ["1) Open the endpoint.", "It has a secret."]),
        ("10. Confirm the amount.", ["10. Confirm the amount."]),
        ("- Check spam. Then wait.\n* Retry", ["- Check spam.", "Then wait.", "* Retry"]),
        # Inline steps: the step number after a sentence end starts the next step.
        ("1. Go to Settings. 2. Click Save.", ["1. Go to Settings.", "2. Click Save."]),
        # Abbreviations, in any case, do not end a sentence.
        ("Use a tool, e.g. Okta. Then sign in.", ["Use a tool, e.g. Okta.", "Then sign in."]),
        ("AS AN AI:E.G. AS AN AI", ["AS AN AI:E.G. AS AN AI"]),
        ("Python, Node, etc. are supported.", ["Python, Node, etc. are supported."]),
        ("Siehe z.B. die Hilfe. Danke.", ["Siehe z.B. die Hilfe.", "Danke."]),
        ("Starter vs. Growth differ. Pick one.", ["Starter vs. Growth differ.", "Pick one."]),
        # Decimals and versions never split; a number at a sentence's end still ends it.
        ("It costs $2.50 per event. Pay monthly.", ["It costs $2.50 per event.", "Pay monthly."]),
        ("Starter allows 10. Growth allows 100.", ["Starter allows 10.", "Growth allows 100."]),
        ("Wait! Really? Yes… Ok", ["Wait!", "Really?", "Yes…", "Ok"]),
        # A lower-case word after "?" or "." continues the sentence (a UI label, an abbreviation we do not know).
        ("Click Forgot password? on the sign-in page.", ["Click Forgot password? on the sign-in page."]),
        ("Los de EE. UU. usan otra URL.", ["Los de EE. UU. usan otra URL."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("Click Forgot password?. Enter your email.", ["Click Forgot password?.", "Enter your email."]),
        ("", []),
        ("1.", ["1."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1. Go", True),
        ("2) Go", True),
        ("- item", True),
        ("• item", True),
        ("1.", False),
        ("-", False),
        ("1.5 GB", False),
        ("-5 degrees", False),
        ("Go", False),
    ],
)
def test_list_items(line: str, expected: bool) -> None:
    assert is_list_item(line) is expected
