"""Every reason code Frontdesk produces has a sentence in the one table people read (`bot.core.reasons`)."""

from __future__ import annotations

import pytest

from bot.core.reasons import EVENTS, REASONS, TOPICS, describe_event, describe_reason
from bot.core.types import EscalationReason, Mode, sensitive_reason
from bot.orchestration.collab import CHOICES, OVERRIDES
from policies.defaults import shipped
from policies.smalltalk import FAREWELL, GREETING, NO_WORDS

GATE = ("not_a_customer", "claimed_by_human", "awaiting_human", "paused", "mode_off", "no_question")
MODES = tuple(m.value.replace("-", "_") for m in (Mode.PRE_APPROVAL, Mode.AGENT_FIRST, Mode.PARALLEL))
POLICY_REPLIES = ("answered", "clarify", "acknowledged", GREETING, NO_WORDS, FAREWELL)


@pytest.mark.parametrize("code", [*(r.value for r in EscalationReason), *GATE, *MODES, *POLICY_REPLIES])
def test_each_code_has_its_own_sentence(code: str) -> None:
    assert code in REASONS
    sentence = describe_reason(code)
    assert sentence[0].isupper() and sentence.endswith(".") and "_" not in sentence


@pytest.mark.parametrize("topic", sorted(shipped("sensitive")["categories"]))
def test_each_shipped_sensitive_topic_reads_as_words(topic: str) -> None:
    assert topic in TOPICS
    sentence = describe_reason(sensitive_reason(topic))
    assert sentence.startswith("Sensitive topic (") and "sensitive:" not in sentence and "_" not in sentence


def test_an_unknown_code_still_reads_as_words() -> None:
    assert describe_reason("some_new_rule") == "Some new rule."
    assert describe_reason("sensitive:pet_insurance") == "Sensitive topic (pet insurance): a person answers, never the AI."
    assert describe_reason("") == "No reason was recorded."


def test_every_desk_event_has_a_sentence() -> None:
    kinds = {"approved", "edited", "rejected", "handed_back", "picked_ai", "picked_agent", "wrote"} | OVERRIDES
    kinds |= {"suggestion_accepted"}
    assert kinds <= set(EVENTS)
    assert all("_" not in describe_event(kind) for kind in kinds)
    assert {"ai", "mine", "improved", "edited"} == CHOICES


def test_short_reasons_read_as_words_never_codes() -> None:
    from bot.core.reasons import short_reason

    assert short_reason("asked_for_human") == "asked for a person"
    assert short_reason("sensitive:billing_dispute") == "sensitive: a billing dispute"
    assert short_reason("sensitive:outage") == "sensitive: outage"  # a category added in frontdesk.toml
    assert short_reason("some_new_rule") == "some new rule"
    assert "_" not in short_reason("no_knowledge") and short_reason("") == "no reason recorded"
