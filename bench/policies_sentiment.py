"""Sensitive-topic escalation measured on public sentiment and intent data (issue 5, item 8).

    .venv/bin/python -m bench.policies_sentiment            # prints the tables recorded in bench/RESULTS.md
    .venv/bin/python -m bench.policies_sentiment --split dev # the tuning split (airline only)

Every message runs through the real input chain built by `policies.build_policies` with the shipped defaults
(language → signals → topic → ... → sensitive); a message counts as "escalated as sensitive" when the chain stops
with a `sensitive:<category>` reason. Nothing here is fitted automatically: keyword lists and thresholds are shipped
data, and they were only ever looked at against the airline *dev* split (80 %, seed 5) and English UMSAB *val*.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

import policies
from bench.datasets import DATA
from bot.core.ports import History, Stop, TurnContext
from bot.core.types import Actor, Address, ChannelPolicy, Inbound, Platform

UMSAB = {
    "english": "en",
    "german": "de",
    "spanish": "es",
    "french": "fr",
    "portuguese": "pt",
    "italian": "it",
    "arabic": "ar",
    "hindi": "hi",
}
# Banking77 intents where escalating as sensitive is right: refunds, disputed or unrecognised payments, security.
SENSITIVE_INTENTS = frozenset(
    {
        "request_refund",
        "Refund_not_showing_up",
        "transaction_charged_twice",
        "card_payment_not_recognised",
        "cash_withdrawal_not_recognised",
        "direct_debit_payment_not_recognised",
        "compromised_card",
        "lost_or_stolen_card",
    }
)
_ADDRESS = Address(Platform.WEB, "bench", "bench", "t")
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def build(languages: Iterable[str] | None = None) -> policies.PolicySet:
    c = policies.default_config()
    lang = c.languages
    if languages is not None:
        lang = lang.model_copy(update={"supported": sorted(set(languages) | set(lang.supported))})
    return policies.build_policies(
        persona=c.persona,
        escalation=c.escalation,
        sensitive=c.sensitive,
        routing=c.routing,
        languages=lang,
        teams=c.teams,
        kb_languages=frozenset(lang.supported),
    )


def sensitive_reason(policy_set: policies.PolicySet, text: str, language: str) -> str:
    """The chain's `sensitive:<category>` reason for a first message in a thread of `language`, or ""."""
    ctx = TurnContext(
        inbound=Inbound("m", _ADDRESS, Actor("bench"), text, _NOW),
        history=History(language=language),
        channel=ChannelPolicy(),
        now=_NOW,
        language=language,
    )
    for step in policy_set.input:
        outcome = step.check(ctx)
        if isinstance(outcome, Stop):
            return outcome.reason if outcome.reason.startswith("sensitive:") else ""
        if outcome.context is not None:
            ctx = outcome.context
    return ""


def airline(split: str) -> list[tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    with (DATA / "twitter_airline_sentiment" / "Tweets.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["tweet_id"], (row["text"], row["airline_sentiment"]))
    ids = sorted(rows)
    random.Random(5).shuffle(ids)
    cut = int(len(ids) * 0.8)
    chosen = ids[:cut] if split == "dev" else ids[cut:] if split == "test" else ids
    return [rows[i] for i in chosen]


def umsab(language: str, split: str = "test") -> list[tuple[str, str]]:
    path = DATA / "umsab_multilingual_sentiment" / f"{language}.{split}.jsonl"
    return [(r["text"], r["label"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def banking(split: str = "test") -> list[tuple[str, str]]:
    with (DATA / "banking77" / f"{split}.csv").open(encoding="utf-8") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


def rates(ps: policies.PolicySet, rows: list[tuple[str, str]], language: str) -> tuple[float, float, Counter[str]]:
    neg_hit = neg = other_hit = other = 0
    reasons: Counter[str] = Counter()
    for text, label in rows:
        reason = sensitive_reason(ps, text, language)
        if label == "negative":
            neg += 1
            neg_hit += bool(reason)
        else:
            other += 1
            other_hit += bool(reason)
        if reason:
            reasons[reason] += 1
    return neg_hit / max(neg, 1), other_hit / max(other, 1), reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"], help="airline split")
    parser.add_argument("--umsab-split", default="test", choices=["val", "test"])
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"datasets not found at {DATA} (set FRONTDESK_BENCH_DATA)")
    ps = build(UMSAB.values())

    rows = airline(args.split)
    neg, other, reasons = rates(ps, rows, "en")
    print(f"twitter_airline_sentiment ({args.split}, n={len(rows)})")
    print(f"  negative escalated as sensitive: {neg:.3f} (target >= 0.85)")
    print(f"  neutral/positive escalated:      {other:.3f} (target <= 0.10)")
    print(f"  by category: {dict(reasons.most_common())}")

    print(f"\numsab_multilingual_sentiment ({args.umsab_split})")
    print(f"  {'language':<11} {'neg->sens':>9} {'neu/pos->sens':>13}")
    for name, code in UMSAB.items():
        neg, other, _ = rates(ps, umsab(name, args.umsab_split), code)
        print(f"  {name:<11} {neg:9.3f} {other:13.3f}")

    by_intent: dict[str, list[bool]] = defaultdict(list)
    for text, intent in banking():
        by_intent[intent].append(bool(sensitive_reason(ps, text, "en")))
    outside = [hit for intent, hits in by_intent.items() if intent not in SENSITIVE_INTENTS for hit in hits]
    inside = [hit for intent, hits in by_intent.items() if intent in SENSITIVE_INTENTS for hit in hits]
    print("\nbanking77 test")
    print(
        f"  escalated as sensitive outside refund/dispute/security intents: {sum(outside) / len(outside):.3f} "
        f"(target <= 0.03, n={len(outside)})"
    )
    print(
        f"  escalated inside those {len(SENSITIVE_INTENTS)} intents: {sum(inside) / len(inside):.3f} (n={len(inside)})"
    )
    worst = sorted(((sum(h) / len(h), i) for i, h in by_intent.items() if i not in SENSITIVE_INTENTS), reverse=True)[:5]
    print("  most escalated other intents: " + ", ".join(f"{i} {r:.2f}" for r, i in worst))


if __name__ == "__main__":
    main()
