"""Persona conformance of every AI reply on the bundled eval questions (issue 5, item 8).

    .venv/bin/python -m bench.policies_persona [--questions examples/questions.jsonl] [--kb examples/kb]

Runs each question through the real engine (knowledge base + shipped policy chain, AI-first, no approval period)
and checks every reply the AI would send (Respond) or suggest (Draft) for emojis, banned phrases, AI preambles,
corporate openers and the sentence limit for the question's complexity. It also checks the raw knowledge answers
before the persona step, to show what the persona had to fix, and prints how the turns were decided.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.bootstrap import build_policy_set, open_knowledge_base
from bot.core.ports import History
from bot.core.types import Actor, Address, ChannelPolicy, Draft, Inbound, Platform, Question, Respond
from bot.orchestration.engine import Engine
from bot.settings import Settings, load_config
from policies.persona import PersonaRules
from policies.signals import complexity

ROOT = Path(__file__).resolve().parents[1]


async def run(questions: Path, kb_dir: Path, config_path: Path) -> None:
    config = load_config(config_path)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(kb_dir=kb_dir, data_dir=Path(data_dir))
        kb = open_knowledge_base(settings, config)
        policy_set = build_policy_set(config, kb.languages())
        engine = Engine(kb, policy_set.input, policy_set.output, policy_set.phrases)
        rules = PersonaRules.of(config.persona)
        rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
        outcomes: Counter[str] = Counter()
        raw_problems: Counter[str] = Counter()
        final_problems: Counter[str] = Counter()
        replies = raw_checked = 0
        for i, row in enumerate(rows):
            text, language = row["text"], row.get("language", "en")
            level = complexity(text)
            raw = await kb.answer(Question(text, language))
            if raw.text:
                raw_checked += 1
                for problem in rules.violations(raw.text, level):
                    raw_problems[problem.split(" ")[0] if "sentences" not in problem else "too long"] += 1
            inbound = Inbound(
                f"q{i}", Address(Platform.WEB, "bench", "c", f"t{i}"), Actor("bench"), text, datetime.now(UTC)
            )
            decision = await engine.decide(inbound, History(language=language), ChannelPolicy(), vip=False)
            outcomes[f"{type(decision).__name__.lower()}:{decision.reason}"] += 1
            if isinstance(decision, Respond | Draft):
                reply = decision.reply if isinstance(decision, Respond) else decision.suggestion
                if decision.reason == "clarify":
                    continue
                replies += 1
                for problem in rules.violations(reply.text, level):
                    final_problems[problem] += 1
                    print(f"  VIOLATION {row.get('id', i)}: {problem}: {reply.text!r}")
        print(f"questions: {len(rows)}; AI replies checked: {replies}")
        print(f"persona violations in sent replies: {sum(final_problems.values())} {dict(final_problems)}")
        print(
            f"raw KB answers checked before the persona step: {raw_checked}; problems the persona fixed: "
            f"{dict(raw_problems) or 'none'}"
        )
        print("decisions: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "examples" / "questions.jsonl")
    parser.add_argument("--kb", type=Path, default=ROOT / "examples" / "kb")
    parser.add_argument("--config", type=Path, default=ROOT / "examples" / "frontdesk.toml")
    args = parser.parse_args()
    asyncio.run(run(args.questions, args.kb, args.config))


if __name__ == "__main__":
    main()
