"""Guardrails and the "no AI answers" request, measured (issue 16, requirements 3 and 6).

1. Contradictions on the example KB (examples/kb, ours): every sentence of every paragraph checked against its own
   paragraph (a verbatim extractive reply: any block is a false block), and every sentence stating a quantity with
   that quantity changed (x2, or +1 for dates' days): the share of such invented values the check catches.
2. "No AI answers" phrases on real messages that are not such requests (false requests): Banking77 test, CLINC150
   val (all intents and out-of-scope) and the UMSAB tweets per language (../shared/data; skipped when absent).

Run: `.venv/bin/python -m bench.policies_guard`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.datasets import DATA
from bench.policies_smalltalk import banking77, clinc
from policies import default_config
from policies.claims import contradiction, quantities
from policies.escalation import LanguagePhrases
from policies.text import sentences

KB = Path(__file__).resolve().parents[1] / "examples" / "kb"
UMSAB = {"english": "en", "german": "de", "spanish": "es", "french": "fr", "portuguese": "pt", "italian": "it"}
_DIGITS = re.compile(r"\d+")


def kb_paragraphs() -> list[str]:
    out: list[str] = []
    for path in sorted(KB.rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        out += [p for p in body.split("\n\n") if p.strip() and not p.lstrip().startswith("|")]
    return out


def _changed(sentence: str, text: str) -> str:
    """The sentence with the first number inside the quantity's text changed."""
    number = _DIGITS.search(text)
    if number is None:
        return sentence
    value = int(number.group(0))
    new = str(value + 1 if len(number.group(0)) <= 2 and "-" in text else value * 2)
    changed = text[: number.start()] + new + text[number.end() :]
    return sentence.replace(text, changed, 1)


def contradictions() -> None:
    paragraphs = kb_paragraphs()
    pairs = [(s, p) for p in paragraphs for s in sentences(p)]
    false_blocks = [s for s, p in pairs if contradiction(s, [p]) is not None]
    print(f"examples/kb: {len(pairs)} sentences in {len(paragraphs)} paragraphs; blocked against their own paragraph: "
          f"{len(false_blocks)}")
    caught = total = 0
    for sentence, paragraph in pairs:
        for q in quantities(sentence)[:1]:
            edited = _changed(sentence, q.text)
            if edited == sentence:
                continue
            total += 1
            caught += contradiction(edited, [paragraph]) is not None
    print(f"invented values (one quantity per sentence changed): caught {caught}/{total} = {caught / max(total, 1):.3f}")


def no_ai_phrases() -> None:
    phrases = LanguagePhrases.of(default_config().escalation.no_ai_phrases)
    if not DATA.is_dir():
        print(f"no public data at {DATA}: skipped the false-request measure")
        return
    sets: list[tuple[str, str, list[str]]] = [
        ("Banking77 test", "en", banking77()),
        ("CLINC150 val (+oos)", "en", [t for t, _ in clinc()]),
    ]
    for name, language in UMSAB.items():
        path = DATA / "umsab_multilingual_sentiment" / f"{name}.test.jsonl"
        if path.is_file():
            texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            sets.append((f"UMSAB {name} test", language, texts))
    for label, language, texts in sets:
        hits = [t for t in texts if phrases.find(t, language) is not None]
        print(f"{label}: {len(hits)}/{len(texts)} taken for a 'no AI answers' request = {len(hits) / len(texts):.4f}")
        for text in hits[:5]:
            print(f"    {text[:100]}")


if __name__ == "__main__":
    contradictions()
    no_ai_phrases()
