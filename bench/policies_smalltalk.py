"""Small talk on public data: do greetings get "How can I help?" and do real questions never get it?

CLINC150 (val split, 150 intents + out-of-scope) has a small-talk domain with `greeting`, `thank_you` and
`goodbye` intents; every other intent is a real request. Banking77 test is 3,080 real banking questions. Each
message runs through the real input chain (shipped defaults) as the first message of an English thread, or as a
message after one AI answer (where a "thanks" should be acknowledged quietly). Reported: the share of each intent
that the chain answers with a prompt (`greeting`, `no_words`, `clarify`) or keeps quiet on (`acknowledged`), and
the share of real questions it wrongly catches. Run: `.venv/bin/python -m bench.policies_smalltalk`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime

import policies
from bench.datasets import DATA
from bot.core.ports import History, Stop, TurnContext
from bot.core.types import Actor, Address, ChannelPolicy, Inbound, Platform

_ADDRESS = Address(Platform.WEB, "bench", "bench", "t")
_NOW = datetime(2026, 1, 1, tzinfo=UTC)
CAUGHT = frozenset({"greeting", "no_words", "clarify", "acknowledged", "farewell"})
SMALL_TALK = ("greeting", "thank_you", "goodbye")


def build() -> policies.PolicySet:
    c = policies.default_config()
    return policies.build_policies(
        persona=c.persona,
        escalation=c.escalation,
        sensitive=c.sensitive,
        routing=c.routing,
        languages=c.languages,
        teams=c.teams,
        kb_languages=frozenset({"en", "de", "es", "fr", "pt", "it"}),  # a KB in the six languages with greetings
        smalltalk=c.smalltalk,
    )


def outcome(policy_set: policies.PolicySet, text: str, history: History) -> str:
    """The input chain's stop reason for `text`, or "" when it reaches the knowledge base."""
    ctx = TurnContext(
        inbound=Inbound("m", _ADDRESS, Actor("bench"), text, _NOW),
        history=history,
        channel=ChannelPolicy(),
        now=_NOW,
        language="en",
    )
    for step in policy_set.input:
        result = step.check(ctx)
        if isinstance(result, Stop):
            return result.reason
        if result.context is not None:
            ctx = result.context
    return ""


def clinc() -> list[tuple[str, str]]:
    data = json.loads((DATA / "clinc150" / "data_dev.json").read_text(encoding="utf-8"))
    return [(text, intent) for text, intent in data["val"]] + [(text, "oos") for text, _ in data["oos_val"]]


def banking77() -> list[str]:
    with (DATA / "banking77" / "test.csv").open(encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)]


def main() -> None:
    policy_set = build()
    fresh = History(language="en")
    answered = History(language="en", ai_answers=1, customer_texts=("How do I reset my password?",))
    rows = clinc()
    for label, history in (("first message", fresh), ("after one AI answer", answered)):
        print(f"CLINC150 val, {label}")
        for intent in SMALL_TALK:
            texts = [t for t, i in rows if i == intent]
            reasons = Counter(outcome(policy_set, t, history) or "knowledge" for t in texts)
            print(f"  {intent:10s} n={len(texts):3d} " + ", ".join(f"{r} {n / len(texts):.2f}" for r, n in reasons.most_common()))
        others = [t for t, i in rows if i not in SMALL_TALK]
        wrong = Counter(r for t in others if (r := outcome(policy_set, t, history)) in CAUGHT)
        print(f"  real requests caught as small talk: {sum(wrong.values()) / len(others):.4f} (n={len(others)}) {dict(wrong)}")
    questions = banking77()
    wrong = [t for t in questions if outcome(policy_set, t, fresh) in CAUGHT]
    print(f"Banking77 test: real questions caught as small talk {len(wrong) / len(questions):.4f} (n={len(questions)})")
    for text in wrong[:10]:
        print(f"    {text}")


if __name__ == "__main__":
    main()
