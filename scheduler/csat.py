"""Ask the 1-5 CSAT question when an AI-only conversation ends, so AI and human CSAT share one scale (docs/METRICS.md).

A person's resolution already asks "How did we do, from 1 to 5?". An AI answer has no such moment, so this job,
run every 15 minutes, asks the same question in the customer's language when a conversation the AI answered (no
person involved) has ended: the customer said thanks or voted "helpful" after the last answer, or the thread has
been quiet for `[metrics] csat_idle_hours`. Each conversation is asked once: the question is recorded as a
`csat_asked` feedback entry (no schema change), which the metrics ignore.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Reply
from bot.orchestration.desk import csat_actions
from scheduler.context import JobContext

log = logging.getLogger(__name__)

ASKED = "csat_asked"
LOOKBACK = timedelta(days=3)  # older conversations are not asked any more: the moment has passed
THANKS = "acknowledged"  # the reason the acknowledgement policy records for a plain "thanks" / 👍


def _ended(history: list[DecisionRecord], helpful_after: bool, now: datetime, idle: timedelta) -> bool:
    """The AI answered, and the customer thanked or voted helpful right after its last answer, or the thread has
    been quiet for `idle` (whatever came last: an unhappy conversation is asked too, or CSAT would flatter the AI)."""
    answers = [i for i, d in enumerate(history) if d.kind == "answer" and d.article_ids and d.reply]
    if not answers:
        return False
    later = history[answers[-1] + 1 :]
    settled = all(d.kind == "ignore" for d in later)  # nothing but a "thanks" / 👍 since the last answer
    thanked = settled and any(d.reason == THANKS for d in later)
    return thanked or (settled and helpful_after) or history[-1].at + idle <= now


def due(decisions: list[DecisionRecord], feedback: list[FeedbackEntry], human_keys: set[str], now: datetime,
        idle: timedelta) -> list[tuple[str, str]]:
    """(conversation key, language) of the AI-only conversations that ended and were never asked nor rated."""
    by_key: dict[str, list[DecisionRecord]] = {}
    for d in sorted(decisions, key=lambda d: (d.at, d.id)):
        by_key.setdefault(d.conversation_key, []).append(d)
    asked_or_rated = {f.conversation_key for f in feedback if f.kind in (ASKED, "csat")}
    out = []
    for key, history in by_key.items():
        if key in human_keys or key in asked_or_rated:
            continue
        last_answer = max((d.at for d in history if d.kind == "answer"), default=None)
        helpful_after = last_answer is not None and any(
            f.conversation_key == key and f.kind == "helpful" and f.helpful and f.at >= last_answer for f in feedback
        )
        if _ended(history, helpful_after, now, idle):
            language = next((d.language for d in reversed(history) if d.language), "en")
            out.append((key, language))
    return out


def question(ctx: JobContext, language: str) -> str:
    phrases = ctx.phrases
    if phrases is None:
        return "How would you rate this conversation, from 1 (poor) to 5 (great)?"
    try:
        return str(phrases.say("ask_csat", language))
    except KeyError:  # a deployment's own language without this sentence: the default language's
        return str(phrases.say("ask_csat", "en"))


async def run(ctx: JobContext) -> str:
    now = ctx.clock()
    decisions = list(await ctx.store.decisions(now - LOOKBACK))
    feedback = list(await ctx.store.feedback(now - LOOKBACK))
    human_keys = {t.conversation_key for t in await ctx.store.tickets()}
    idle = timedelta(hours=ctx.metrics.csat_idle_hours)
    asked = 0
    for key, language in due(decisions, feedback, human_keys, now, idle):
        conversation = await ctx.store.load_conversation(key)
        if conversation is None:
            continue
        try:
            await ctx.send(conversation.address.platform, "", Reply(question(ctx, language), actions=csat_actions()),
                           address=conversation.address)
        except Exception:  # one unreachable channel must not stop the others; the next run tries again
            log.exception("could not ask for a CSAT rating in %s", key)
            continue
        await ctx.store.add_feedback(FeedbackEntry(ASKED, key, "frontdesk", now))
        asked += 1
    return f"Asked {asked} customer{'' if asked == 1 else 's'} to rate an AI-answered conversation (1-5)."
