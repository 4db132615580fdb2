"""The weekly QA sample (MISSION §9): a random sample of last week's AI answers, posted for reviewers to grade.

Answers customers voted "not helpful" are flagged first (they are reviewed whatever the sample draws), then a
random sample of the rest. The draw is seeded by the ISO week, so re-running the job (or `digest now`-style on-demand
runs) posts the same sample instead of a new one that would make grading inconsistent.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.core.errors import FrontdeskError
from bot.core.ports import DecisionRecord
from bot.core.types import Reply
from bot.orchestration.qa_grades import grade_actions
from scheduler.context import JobContext, mention

WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


def _answers(decisions: list[DecisionRecord], since: datetime, until: datetime) -> list[DecisionRecord]:
    """AI answers a customer actually received from the knowledge base in the period."""
    return [d for d in decisions if d.kind == "answer" and d.article_ids and d.reply and since <= d.at < until]


def weekly_seed(since: datetime) -> str:
    year, week, _ = since.isocalendar()
    return f"frontdesk-qa-{year}-W{week:02d}"


def draw(
    decisions: list[DecisionRecord], unhelpful: set[str], since: datetime, until: datetime, size: int,
    seed: str | None = None,
) -> tuple[list[DecisionRecord], list[DecisionRecord], int]:
    """(flagged, sampled, population): answers in conversations voted "not helpful", and a seeded sample of the rest."""
    answers = _answers(decisions, since, until)
    flagged = [d for d in answers if d.conversation_key in unhelpful]
    rest = [d for d in answers if d.conversation_key not in unhelpful]
    rng = random.Random(seed or weekly_seed(since))
    sampled = sorted(rng.sample(rest, min(size, len(rest))), key=lambda d: (d.at, d.id))
    return flagged, sampled, len(answers)


def _item(n: int, label: str, d: DecisionRecord) -> Reply:
    """One answer to grade, with its good / needs work / wrong buttons (`bot.orchestration.qa_grades`)."""
    question = d.text if len(d.text) <= 300 else d.text[:299] + "…"
    answer = d.reply if len(d.reply) <= 600 else d.reply[:599] + "…"
    confidence = "" if d.confidence is None else f" · confidence {d.confidence:.2f}"
    text = (
        f"{label} *{n}.* Q: {question}\nA: {answer}\n_sources: {', '.join(d.article_ids)} · {d.language or '?'} · "
        f"team {d.team or '—'}{confidence} · #{d.id}_"
    )
    return Reply(text, actions=grade_actions(d))


GRADING = "Grade each answer with its buttons (good, needs work or wrong); a box for an optional note opens."
LEGAL = "Grade each answer: *wrong* when it promises, admits or states something it should not (say why in the note)."
LANGUAGE = "Grade each answer for correctness and for how natural it reads to a native speaker; add a note to fix it."


def compose(flagged: list[DecisionRecord], sampled: list[DecisionRecord], population: int,
            since: datetime, until: datetime, *, title: str = "QA sample of AI answers",
            instructions: str = GRADING) -> list[Reply]:
    """The messages to post: a header with instructions, then one message per answer with its grade buttons."""
    flagged_part = f"{len(flagged)} flagged by customers as not helpful, and " if flagged else ""
    header = (
        f"*{title}* ({since:%d %b} to {until:%d %b %Y}): {flagged_part}{len(sampled)} drawn at random from "
        f"{population} answers. {instructions}"
    )
    items = [("Flagged", d) for d in flagged] + [("Sample", d) for d in sampled]
    return [Reply(header)] + [_item(n, label, d) for n, (label, d) in enumerate(items, 1)]


async def run(ctx: JobContext) -> str:
    """The weekly QA sample to `[qa] channel`, and each language's sample to its reviewer (`[qa] languages`)."""
    if not ctx.qa.channel and not ctx.qa.languages:
        raise FrontdeskError("no QA channel: set [qa] channel (and/or [qa] languages) in frontdesk.toml")
    done = [await _weekly(ctx)] if ctx.qa.channel else []
    if ctx.qa.languages:
        done.append(await _languages(ctx))
    return " ".join(done)


async def _weekly(ctx: JobContext) -> str:
    until = ctx.clock()
    since = until - WEEK
    decisions = list(await ctx.store.decisions(since))
    votes = await ctx.store.feedback(since)
    unhelpful = {f.conversation_key for f in votes if f.kind == "helpful" and f.helpful is False}
    flagged, sampled, population = draw(decisions, unhelpful, since, until, ctx.qa.sample)
    if population == 0:
        return "No AI answers last week, so there is no QA sample to post."
    for reply in compose(flagged, sampled, population, since, until):
        await ctx.send(ctx.qa.platform, ctx.qa.channel, reply)
    return (
        f"Posted a QA sample of {len(flagged) + len(sampled)} AI answers "
        f"({len(flagged)} flagged, {len(sampled)} random of {population}) to {mention(ctx.qa.channel)}."
    )


async def run_legal(ctx: JobContext) -> str:
    """The monthly sample for legal review (MISSION §9): random answers of the last 30 days, seeded by the month."""
    if not ctx.qa.legal_channel:
        raise FrontdeskError("no legal review channel: set [qa] legal_channel in frontdesk.toml")
    until = ctx.clock()
    since = until - MONTH
    decisions = list(await ctx.store.decisions(since))
    _, sampled, population = draw(decisions, set(), since, until, ctx.qa.legal_sample, f"frontdesk-legal-{until:%Y-%m}")
    if population == 0:
        return "No AI answers in the last 30 days, so there is no legal review sample to post."
    title = "Monthly legal review sample of AI answers"
    for reply in compose([], sampled, population, since, until, title=title, instructions=LEGAL):
        await ctx.send(ctx.qa.platform, ctx.qa.legal_channel, reply)
    return f"Posted a legal review sample of {len(sampled)} of {population} AI answers to {mention(ctx.qa.legal_channel)}."


async def _languages(ctx: JobContext) -> str:
    """The weekly per-language sample (MISSION §8): each configured language's answers to its native reviewer."""
    until = ctx.clock()
    since = until - WEEK
    decisions = list(await ctx.store.decisions(since))
    done = []
    for language, reviewer in sorted(ctx.qa.languages.items()):
        own = [d for d in decisions if d.language == language]
        seed = f"frontdesk-qa-{language}-{weekly_seed(since)}"
        _, sampled, population = draw(own, set(), since, until, ctx.qa.language_sample, seed)
        if population == 0:
            done.append(f"{language}: no answers")
            continue
        title = f"QA sample of AI answers in {language}"
        for reply in compose([], sampled, population, since, until, title=title, instructions=LANGUAGE):
            await ctx.send(ctx.qa.platform, reviewer, reply)
        done.append(f"{language}: {len(sampled)} of {population} to {mention(reviewer)}")
    return "Posted the per-language QA samples (" + "; ".join(done) + ")."
