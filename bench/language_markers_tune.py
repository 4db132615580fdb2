"""Serbian / Croatian / Bosnian: marker words on top of py3langid (issue 16), before → after in one run.

    .venv/bin/python -m bench.language_markers_tune

`marker_weight` (policies/defaults/languages.toml) is chosen on the team's dev messages
(`bench/language_markers_dev.toml`): the weight with the best first-message accuracy, ties to the smaller weight.
It is then reported on `bench/language_samples.toml` (the messages `bench.language_detection` uses), with weight 1
(markers off, the previous behaviour) beside it: first messages with a KB of the three languages (uniform mix) and
of all 15 sample languages, and follow-ups in a thread of another of the three.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from bench.language_detection import SAMPLES, accuracy, matrix
from policies.config import LanguageConfig
from policies.language import LanguageDetect, language_step

GROUP = ("sr", "hr", "bs")
DEV = Path(__file__).with_name("language_markers_dev.toml")
WEIGHTS = (1.0, 2.0, 4.0, 8.0, 16.0)


def step(languages: tuple[str, ...], weight: float) -> LanguageDetect:
    config = LanguageConfig.model_validate({"marker_weight": weight})
    return language_step(config, frozenset(languages), frozenset(), None)


def firsts(detect: LanguageDetect, samples: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(lang, detect.decide(t, detect.default, first=True)[0]) for lang in GROUP for t in samples[lang]]


def main() -> None:
    dev = tomllib.loads(DEV.read_text(encoding="utf-8"))
    test = tomllib.loads(SAMPLES.read_text(encoding="utf-8"))
    print("| marker_weight | dev first-message accuracy (sr/hr/bs KB) |")
    print("|---|---|")
    scores = []
    for weight in WEIGHTS:
        acc = accuracy(firsts(step(GROUP, weight), dev))
        scores.append((acc, -weight))
        print(f"| {weight:g} | {acc:.2f} |")
    chosen = -max(scores)[1]
    print(f"\nchosen on dev: {chosen:g}\n")
    everything = tuple(sorted(test))
    for weight in (1.0, chosen):
        group, full = step(GROUP, weight), step(everything, weight)
        rows = firsts(group, test)
        switches = [
            (lang, group.decide(t, other)[0]) for lang in GROUP for t in test[lang] for other in GROUP if other != lang
        ]
        print(f"weight {weight:g}: first message, KB sr/hr/bs {accuracy(rows):.2f}; KB all {len(everything)} "
              f"{accuracy(firsts(full, test)):.2f}; follow-up in a thread of another of the three, switched right "
              f"{accuracy(switches):.2f}")  # fmt: skip
        print(matrix(rows, GROUP) + "\n")


if __name__ == "__main__":
    main()
