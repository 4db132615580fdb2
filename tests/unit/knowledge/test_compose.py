"""Composing the extractive reply from a section: units, where to start, lists kept whole, the article link."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.core.types import Question
from knowledge.base import KnowledgeBase
from knowledge.compose import compose
from knowledge.documents import Article, Passage, split_passages
from knowledge.sections import best_passage
from knowledge.terms import situations
from knowledge.units import Unit, split_sentences, units
from tests.unit.knowledge.conftest import article

BODY = """# Rotate secrets

Rotating keeps deliveries signed while your customer updates. It takes a day.

## Rotate a secret

1. Open the endpoint and click **Rotate secret**.
2. For 24 hours, both secrets sign deliveries.
   Your customer can update at any time in that window.
3. Your customer updates their secret.

After 24 hours, only the new secret is used.

## Check the signature yourself

The header looks like this:

```
Relaybase-Signature: t=1,v1=abc
```

To verify:

1. Take `t` and the raw body.
2. Compute HMAC-SHA256 with the secret.

## Limits

| | Starter | Growth |
|---|---|---|
| Endpoints | 10 | 100 |
| Team members | 3 | 20 |

## Endpoint requirements

1. Enter the URL. Live endpoints must use HTTPS with a valid certificate. Plain HTTP is only for tests.
2. Choose event types.
3. Click Create.
"""


def make(body: str = BODY, url: str = "https://docs.example/rotate") -> Article:
    return Article("rotate", "Rotate secrets", body, url=url, passages=split_passages("rotate", "Rotate secrets", body))


def section(art: Article, heading: str) -> Passage:
    return next(p for p in art.passages if p.heading == heading)


def test_units_keep_lists_whole_with_their_intro() -> None:
    found = units(section(make(), "Check the signature yourself").text)
    # "The header looks like this:" introduced a code block the reply leaves out, so it goes with it.
    assert found == [
        Unit(("To verify:",), ("1. Take t and the raw body.", "2. Compute HMAC-SHA256 with the secret."), True)
    ]
    steps = units(section(make(), "Rotate a secret").text)
    assert steps[0].items[1] == (
        "2. For 24 hours, both secrets sign deliveries. Your customer can update at any time in that window."
    )
    assert steps[1] == Unit(("After 24 hours, only the new secret is used.",))


def test_tables_become_one_sentence_per_row() -> None:
    rows = [u.sentences[0] for u in units(section(make(), "Limits").text)]
    assert rows == ["Endpoints: Starter 10, Growth 100.", "Team members: Starter 3, Growth 20."]


def test_a_procedure_starts_at_step_one_and_ends_with_the_link() -> None:
    art = make()
    text = compose(art, section(art, "Rotate a secret"), "how do I rotate the signing secret", "en")
    assert text.splitlines() == [
        "Rotate a secret:",  # a bare list gets its heading as intro
        "1. Open the endpoint and click Rotate secret.",
        "2. For 24 hours, both secrets sign deliveries. Your customer can update at any time in that window.",
        "3. Your customer updates their secret.",
        "After 24 hours, only the new secret is used.",
        "More: https://docs.example/rotate",
    ]


def test_a_fact_question_gets_the_step_that_holds_the_fact() -> None:
    art = make()
    text = compose(art, section(art, "Endpoint requirements"), "can an endpoint be plain http?", "en")
    assert text.splitlines()[0] == (
        "Live endpoints must use HTTPS with a valid certificate. Plain HTTP is only for tests."
    )


def test_limits_count_units_and_never_cut_a_list() -> None:
    art = make()
    one = compose(art, section(art, "Rotate a secret"), "how do I rotate", "en", max_units=1, link=False)
    assert one.splitlines()[-1] == "3. Your customer updates their secret."  # the list whole, the sentence after not
    lead = compose(art, art.passages[0], "rotating", "en", max_units=1, link=False)
    assert lead == "Rotating keeps deliveries signed while your customer updates."


def test_a_long_list_is_condensed_to_each_steps_first_sentence() -> None:
    art = make()
    text = compose(art, section(art, "Endpoint requirements"), "how do I add an endpoint", "en", max_chars=80)
    assert text.splitlines()[1:4] == ["1. Enter the URL.", "2. Choose event types.", "3. Click Create."]


def test_mid_paragraph_start_takes_the_sentence_before_it() -> None:
    body = "# Timeouts\n\nWe wait 15 seconds. If there is no response in that time, the attempt is retried later.\n"
    art = make(body, url="")
    text = compose(art, art.passages[0], "what happens when there is no response in time", "en")
    assert text == "We wait 15 seconds. If there is no response in that time, the attempt is retried later."


def test_the_section_named_by_the_question_wins() -> None:
    art = make()
    assert best_passage(art, "how do I rotate the secret", None, "en") == section(art, "Rotate a secret")
    assert best_passage(art, "how many team members on growth", None, "en") == section(art, "Limits")


RESET = """# Reset your password

Click **Forgot password?** on the sign-in page and we will email you a reset link.

## Reset a forgotten password

1. Click **Forgot password?**.
2. Enter the email address you sign in with.
3. Open the email and click **Reset password**.

## The reset email did not arrive

- Check spam and quarantine folders.
- Make sure you used the address you sign in with.
"""


@pytest.mark.parametrize(
    "question",
    [
        "cant log in, forgot pw and the reset mail isnt showing up",
        "I never got the password reset email",
        "reset email hasn't arrived",
    ],
)
def test_a_situation_named_by_a_phrase_finds_its_section(question: str) -> None:
    """No content word of "isn't showing up" meets "did not arrive": the situation marker does."""
    art = Article("reset", "Reset your password", RESET, passages=split_passages("reset", "Reset your password", RESET))
    assert best_passage(art, question, None, "en") == section(art, "The reset email did not arrive")
    assert best_passage(art, "I forgot my password", None, "en") == section(art, "Reset a forgotten password")


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("The reset email did not arrive", True),
        ("Die E-Mail ist nicht angekommen", True),
        ("Passwort vergessen und keine Mail bekommen", True),
        ("No me ha llegado el correo", True),
        ("I don\u2019t receive the invoices", True),
        ("how do I reset my password", False),
        ("I could not log in", False),
        ("the webhook did not fire", False),
    ],
)
def test_situation_markers(text: str, marked: bool) -> None:
    assert bool(situations(text)) is marked


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("trial ran out yesterday, is our config gone", "When the trial ends"),
        ("my invite link expired", "When the trial ends"),
        ("archived our channel by mistake, can we get it back", "Unarchive a channel"),
        ("whats the biggest attachment i can upload", "Attachment limits and sizes"),
    ],
)
def test_a_phrase_meets_the_heading_that_names_its_situation(question: str, heading: str) -> None:
    assert situations(question) & situations(heading)


def test_the_word_limit_alone_is_no_size_question() -> None:
    assert not situations("what is the API rate limit on Growth?") & situations("Rate limit headers")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Click Forgot password? on the sign-in page. Then wait.",
            ["Click Forgot password? on the sign-in page.", "Then wait."],
        ),
        ("Use a tool, e.g. Okta. Done.", ["Use a tool, e.g. Okta.", "Done."]),
        ("Los de EE. UU. usan otra URL. Bien.", ["Los de EE. UU. usan otra URL.", "Bien."]),
        ("It costs $2.50. Pay now.", ["It costs $2.50.", "Pay now."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


async def test_relevance_separates_no_knowledge_from_low_confidence(
    tmp_path: Path, make_kb: Callable[..., KnowledgeBase], monkeypatch: pytest.MonkeyPatch
) -> None:
    article(tmp_path, "refunds", "Refund policy", "# Refund policy\n\nAnnual plans can be refunded within 14 days.")
    article(tmp_path, "invoices", "Invoices", "# Invoices\n\nDownload invoices as PDF from the billing page.")
    kb = make_kb(tmp_path)
    # Word coverage and dense relatedness alone decide (a tiny KB's confidence is high for anything on-topic).
    monkeypatch.setattr("knowledge.relevance.CONFIDENT", 1.01)
    covered = await kb.answer(Question("can annual plans be refunded", "en"))
    assert covered.relevant
    outside = await kb.answer(Question("what is the weather like in berlin", "en"))
    assert not outside.relevant and outside.articles  # something was retrieved, but it does not cover the question
    half = await kb.answer(
        Question("can annual plans be refunded to a paypal wallet in bitcoin via western union", "en")
    )
    # Most of what is asked is nowhere in the article, but both retrievers found the refund article first: the KB
    # has something on the subject, so an unsure answer is low_confidence, not a knowledge gap (issue 14).
    assert half.relevant
    monkeypatch.setattr("knowledge.relevance.RELATED_SIMILARITY", 1.01)  # without the agreement of related retrievers,
    monkeypatch.setattr("knowledge.relevance.AGREED_CONFIDENT", 1.01)  # (nor of retrievers with a sure ranking)
    half = await kb.answer(Question("can annual plans be refunded to a paypal wallet in bitcoin via western union", "en"))
    assert not half.relevant  # word coverage decides again


def test_a_where_question_gets_the_steps_of_its_section() -> None:
    body = (
        "# Cards\n\nWe accept cards.\n\n## Update your card\n\n1. Go to Settings > Billing.\n2. Click Replace card.\n\n"
        "The new card is used for the next charge.\n"
    )
    art = make(body, url="")
    text = compose(art, section(art, "Update your card"), "our card expires, where do i put the new card", "en")
    assert text.splitlines()[:3] == ["Update your card:", "1. Go to Settings > Billing.", "2. Click Replace card."]
    plain = compose(art, section(art, "Update your card"), "is the new card used for the next charge", "en")
    assert plain == "The new card is used for the next charge."


PLANS = """# Change your plan

You can change plans any time. Upgrades take effect immediately; downgrades take effect at the end of your current
billing period.

## Downgrade

1. Go to Settings > Billing > Change plan.
2. Choose the lower plan and click Schedule downgrade.

Your current plan stays active until the end of the billing period.

Retention also changes: moving from Growth (30 days) to Starter (7 days) deletes events older than 7 days.
"""


def test_a_when_question_gets_the_sentence_that_says_when() -> None:
    """"When" is answered by the time ("until the end of the billing period"), not by the sentence sharing the most
    words with the question and stating some number ("Growth (30 days) to Starter (7 days)")."""
    art = make(PLANS, url="")
    text = compose(art, section(art, "Downgrade"), "we move from Growth to Starter, when does the change apply?", "en")
    assert text.startswith("Your current plan stays active until the end of the billing period.")


def test_a_how_to_on_prose_gets_the_sentence_that_says_what_to_do() -> None:
    body = (
        "# Threads\n\n## Unfollow threads\n\nIf you are no longer interested in a thread, unfollow it to stop "
        "notifications. Viewing a thread without replying does not follow it. Reading is free.\n\n"
        "Toggle the thread's Following indicator, or select Unfollow thread from the More Actions icon.\n"
    )
    art = make(body, url="")
    text = compose(art, section(art, "Unfollow threads"), "how do i stop following a thread", "en")
    assert text.splitlines() == [
        "If you are no longer interested in a thread, unfollow it to stop notifications. Toggle the thread's "
        "Following indicator, or select Unfollow thread from the More Actions icon."
    ]


def test_a_where_question_is_not_answered_by_a_bullet_list_of_options() -> None:
    body = (
        "# Schedule\n\n## Manage scheduled messages\n\nScheduled messages wait in the Drafts view, under the Scheduled "
        "tab.\n\nYou can manage them with these actions:\n\n- Delete: remove the message.\n- Send now: send it.\n"
    )
    art = make(body, url="")
    text = compose(art, section(art, "Manage scheduled messages"), "where do i find my scheduled messages?", "en")
    assert text.startswith("Scheduled messages wait in the Drafts view, under the Scheduled tab.")


def test_a_price_question_prefers_the_section_that_states_a_price() -> None:
    body = (
        "# Annual billing\n\nAnnual billing is for teams.\n\n## Terms\n\nWhen you pay for the year by bank transfer,"
        " invoices have net 30 terms.\n\n## Savings\n\nWhen you pay for the year, Starter is $490 instead of $588.\n"
    )
    art = make(body, url="")
    found = best_passage(art, "how much do we save if we pay for the year upfront", None, "en")
    assert found is not None and found.heading == "Savings"


def test_a_long_manual_keeps_the_section_named_by_the_question() -> None:
    """Past the dense shortlist, a section headed by a question word is still a candidate."""
    sections = "".join(f"## Topic {i}\n\nText about subject number {i} and shortcuts.\n\n" for i in range(14))
    body = f"# Shortcuts\n\nKeyboard shortcuts.\n\n{sections}## Zoom in and out\n\n| Keys | Action |\n|---|---|\n| Ctrl + | Zoom in |\n"
    art = make(body, url="")
    sims = np.array([0.9] + [0.5] * 12, dtype=np.float32)  # the first 13 passages have dense keys, the rest none
    found = best_passage(art, "how do i zoom in", sims, "en", shortlist=4)
    assert found is not None and found.heading == "Zoom in and out"


def test_the_threads_words_pick_the_section_of_a_follow_up() -> None:
    body = (
        "# SOC 2 report\n\nRelaybase has a SOC 2 Type II report.\n\n## Request the report\n\n1. Go to the Trust "
        "Center.\n2. Accept the NDA.\n\nCustomers get access within 2 business days.\n\n## Renewal\n\nThe audit is "
        "renewed every year.\n"
    )
    art = make(body, url="")
    context = "How do I request the SOC 2 report? and how long does that take?"
    passage = best_passage(art, "and how long does that take?", None, "en", context=context)
    assert passage is not None and passage.heading == "Request the report"
    text = compose(art, passage, "and how long does that take?", "en", context=context)
    assert text.startswith("Customers get access within 2 business days.")
