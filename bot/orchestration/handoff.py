"""Builds the `Handoff` agents receive: the customer's question, what the AI answered, why a person is needed.

A good summary is what lets an agent answer without scrolling the thread, so it is assembled here, once, for every
platform's card. The extractive summary is always built; with an LLM configured (`bot.core.ports.Writer`),
`summarize_with` replaces its narrative part with a grounded one and keeps the "Why:" line, which is ours.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from bot.core.ports import TurnContext, Writer
from bot.core.reasons import describe_reason
from bot.core.sentences import sentences
from bot.core.types import Answer, ArticleHit, Citation, Handoff, Priority, Reply
from policies.language import SWITCHED_FROM

log = logging.getLogger(__name__)

_TITLE = 120
_QUOTE = 400
_SHORT_QUOTE = 200
_ANSWER = 300
_SHORT_FOLLOW_UP = 3  # words: "still broken", "human please", "that didn't help" name no problem of their own
WHY = "Why: "
# A summary from an LLM is kept only if it is at most this long and every number in it appears in the transcript.
_MAX_LLM_SUMMARY = 900
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")

# The customer's own reason for wanting a person (MISSION §7), optional. Every adapter's dropdown offers these, and
# the metrics group by the values, so they are defined once here.
HUMAN_REASONS: tuple[tuple[str, str], ...] = (
    ("wrong_answer", "The answer was wrong or didn't help"),
    ("account_change", "I need something changed on my account"),
    ("billing", "Billing or payment"),
    ("urgent", "It's urgent"),
    ("prefer_person", "I'd rather talk to a person"),
    ("other", "Something else"),
)

# Another retrieved article is worth an agent's click when its ranking probability is at least this share of the
# top article's (and not negligible); the rest of the top-k are noise on a card.
_ALSO_SHARE = 0.25
_ALSO_MIN = 0.05
_ALSO_MAX = 2
# Escalations where the AI had an answer but did not send it: the agent is told which article it would have used.
_HELD_BACK = frozenset({"low_confidence", "guardrail"})
_DRAFTS = frozenset({"pre_approval", "agent_first", "parallel"})  # the card shows the draft (or its references)


def related_articles(hits: Sequence[ArticleHit]) -> tuple[ArticleHit, ...]:
    """The retrieved articles besides the first (the one the answer quoted) that are clearly relevant too."""
    if len(hits) < 2:
        return ()
    floor = max(_ALSO_MIN, hits[0].score * _ALSO_SHARE)
    return tuple(h for h in hits[1:] if h.score >= floor and h.article_id != hits[0].article_id)[:_ALSO_MAX]


def _titles(hits: Sequence[ArticleHit]) -> str:
    return ", ".join(h.title or h.article_id for h in hits)


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary with "…" (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def sentiment_label(score: float | None) -> str:
    if score is None:
        return "unknown"
    if score <= -0.35:
        return "negative"
    if score >= 0.35:
        return "positive"
    return "neutral"


def _lead(asked: Sequence[str], request: bool = False) -> int:
    """Which message states the problem. A short last message ("still broken", "human please") does not, so the
    latest longer message leads and the short one follows: the agent reads the question first. Neither does a
    request for a person ("can I talk to a human please", `request`) when there is an earlier message."""
    last = len(asked) - 1
    if request and last > 0:
        return _lead(asked[:-1])
    if len(asked[last].split()) > _SHORT_FOLLOW_UP:
        return last
    return next((i for i in range(last - 1, -1, -1) if len(asked[i].split()) > _SHORT_FOLLOW_UP), last)


def _asked_lines(asked: list[str], request: bool) -> list[str]:
    if not asked:
        return ["Asked: nothing yet — the customer pressed the button for a person before writing."]
    lead, last = _lead(asked, request), len(asked) - 1
    lines = [f"Asked: {clip(asked[lead], _QUOTE)}"]
    if lead != last:
        lines.append(f"Then: {clip(asked[last], _SHORT_QUOTE)}")
    earlier = [t for i, t in enumerate(asked) if i not in (lead, last)][-2:]
    if earlier:
        lines.append(f"Earlier: {' / '.join(clip(t, _SHORT_QUOTE) for t in earlier)}")
    return lines


def question_title(asked: Sequence[str], customer_reason: str | None = None, *, request: bool = False) -> str:
    """The card's headline: the customer's question in one line, or a plain sentence when they wrote nothing."""
    if asked:
        return clip(asked[_lead(asked, request)], _TITLE)
    label = dict(HUMAN_REASONS).get(customer_reason or "")
    if label:
        return f"Wants a person: {label[0].lower()}{label[1:]}"
    return "Wants to talk to a person (no question written yet)"


def _excerpt(text: str) -> str:
    """The first two sentences of what the AI said, so a wrong answer is visible on the card."""
    first = " ".join(sentences(" ".join(text.split()))[:2]) or text
    return clip(first, _ANSWER)


def _answer_lines(ctx: TurnContext, answer: Answer | None, reason: str) -> list[str]:
    lines = []
    replies = ctx.history.ai_replies
    if replies:
        # The AI quotes one article per answer (the first hit); listing every retrieved hit as "cited" misleads.
        last = ctx.history.last_articles
        cited = f" (citing {_titles(last[:1])})" if last else ""
        times = f" {len(replies)} times; the latest" if len(replies) > 1 else ""
        lines.append(f"AI answered{times}: “{_excerpt(replies[-1])}”{cited}")
        also = related_articles(last)
        if also:
            lines.append(f"Also relevant: {_titles(also)}")
    elif ctx.history.ai_answers:
        lines.append(f"AI answered {ctx.history.ai_answers} times, citing {_titles(ctx.history.last_articles[:1])}")
    else:
        lines.append("AI answered: nothing yet.")
    if answer is not None and answer.relevant and answer.articles and reason in _HELD_BACK:
        best = answer.articles[0]
        also = related_articles(answer.articles)
        extra = f"; also relevant: {_titles(also)}" if also else ""
        lines.append(f"The AI's unsent answer drew on: {best.title or best.article_id}{extra}")
    return lines


def _cited(ctx: TurnContext, answer: Answer | None, reason: str) -> tuple[Citation, ...]:
    """References for the agent: what the AI cited, then what it found now, each with its passage, no repeats."""
    hits = list(ctx.history.last_articles[:1]) + list(related_articles(ctx.history.last_articles))
    if answer is not None and answer.relevant and answer.articles and (reason in _HELD_BACK | _DRAFTS or not hits):
        hits += [answer.articles[0], *related_articles(answer.articles)]
    seen: set[str] = set()
    out: list[Citation] = []
    for hit in hits:
        if hit.article_id not in seen:
            seen.add(hit.article_id)
            out.append(Citation(hit.article_id, hit.title, hit.url, hit.snippet))
    return tuple(out[:4])


def build_handoff(
    ctx: TurnContext,
    *,
    reason: str,
    team: str,
    answer: Answer | None = None,
    suggestion: Reply | None = None,
    priority: Priority = Priority.NORMAL,
    detail: str = "",
    reported: bool = False,
) -> Handoff:
    asked = [*ctx.history.customer_texts, ctx.inbound.text] if ctx.inbound.text else list(ctx.history.customer_texts)
    # "can I talk to a person" is the request, not the question, when the customer asked something before it.
    request = reason == "asked_for_human" and bool(ctx.inbound.text)
    lines = _asked_lines(asked, request) + _answer_lines(ctx, answer, reason)
    choice = dict(HUMAN_REASONS).get(ctx.inbound.reason_choice or "")
    if choice:
        lines.append(f"Customer's reason: {choice}")
    why = describe_reason(reason)
    if " " in detail.strip():  # what the check found ("0.63 < 0.70; article … demoted"), not a bare code ("button")
        why = f"{why.rstrip('.')} ({detail.strip()})."
    earlier = ctx.notes.get(SWITCHED_FROM)
    if earlier and earlier != ctx.language:  # code-switching: the agent sees both languages
        lines.append(f"Language: {ctx.language} (earlier in this thread: {earlier})")
    lines.append(WHY + why)
    return Handoff(
        summary="\n".join(lines),
        reason=reason,
        team=team,
        priority=Priority.HIGH if ctx.vip and priority is Priority.NORMAL else priority,
        customer=ctx.inbound.author,
        language=ctx.language,
        sentiment=sentiment_label(ctx.sentiment),
        vip=ctx.vip,
        suggestion=suggestion,
        customer_reason=ctx.inbound.reason_choice,
        reported=reported,
        title=question_title(asked, ctx.inbound.reason_choice, request=request),
        cited=_cited(ctx, answer, reason),
    )


def with_customer_reason(handoff: Handoff, choice: str) -> Handoff:
    """The handoff with the customer's own reason, given after the one-click handoff: the card's summary says it
    just above the "Why:" line, as it would had the reason come with the click."""
    label = dict(HUMAN_REASONS).get(choice, choice)
    lines = [line for line in handoff.summary.splitlines() if not line.startswith("Customer's reason: ")]
    at = next((i for i, line in enumerate(lines) if line.startswith(WHY)), len(lines))
    lines.insert(at, f"Customer's reason: {label}")
    return replace(handoff, customer_reason=choice, summary="\n".join(lines))


def with_reason(handoff: Handoff, reason: str) -> Handoff:
    """The handoff under a new reason (e.g. a rejected draft), its summary's "Why:" line saying the same as the card."""
    lines = [line for line in handoff.summary.splitlines() if not line.startswith(WHY)]
    return replace(handoff, reason=reason, summary="\n".join([*lines, WHY + describe_reason(reason)]))


def transcript(ctx: TurnContext) -> tuple[tuple[str, str], ...]:
    """The thread as (speaker, text) pairs, with the current message."""
    current = (("Customer", ctx.inbound.text),) if ctx.inbound.text else ()
    return ctx.history.transcript + current


def grounded(summary: str, source: Sequence[tuple[str, str]], facts: str) -> bool:
    """A generated summary is shown only if it is short and invents no number: every number in it must appear in
    the transcript or the facts we gave (dates, prices, limits are what a wrong summary would mislead on)."""
    if not summary or len(summary) > _MAX_LLM_SUMMARY:
        return False
    known = set(_NUMBER.findall(" ".join(text for _, text in source) + " " + facts))
    return all(number in known for number in _NUMBER.findall(summary))


async def summarize_with(writer: Writer | None, handoff: Handoff, source: Sequence[tuple[str, str]]) -> Handoff:
    """The handoff with the LLM's summary (grounded in `source`) in place of the extractive narrative, keeping the
    extractive "Why:" line; unchanged when there is no writer, it fails, or its text is not grounded."""
    if writer is None or not source:
        return handoff
    why = describe_reason(handoff.reason)
    cited = ", ".join(c.title for c in handoff.cited)
    facts = f"{why} Articles: {cited}"
    try:
        text = (await writer.summarize(source, facts)).strip()
    except Exception:  # noqa: BLE001 - the extractive summary is already there; a provider outage must not lose it
        log.warning("the LLM handoff summary failed; keeping the extractive one", exc_info=True)
        return handoff
    if not grounded(text, source, facts):
        log.info("the LLM handoff summary was not grounded in the transcript; keeping the extractive one")
        return handoff
    keep = [line for line in handoff.summary.splitlines() if line.startswith(("Customer's reason: ", WHY))]
    return replace(handoff, summary="\n".join([text, *keep]))
