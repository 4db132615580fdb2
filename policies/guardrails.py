"""Guardrails: checks on every AI reply before it is sent; a failed check blocks the reply and escalates
(`guardrail`, with the check's name in the detail).

Blocks replies that cite internal-only articles, name a person other than the customer (staff names from config and
the agents the desk has seen, @-mentions, and in generated text anyone the customer is sent to by name), carry
personal data (emails, phone numbers, card numbers) that is not in the cited source, contradict their grounding
passages (dates, durations, prices, limits, yes/no: `policies.claims`, for extractive and LLM replies alike), state
numbers that are not in the source (generated text), or read as negative.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.core.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.core.types import Answer, Audience, EscalationReason
from policies.claims import contradiction
from policies.config import GuardrailConfig
from policies.people import addressed_person, named_person
from policies.routing import noted_team
from policies.sentiment import Sentiment

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_MENTION = re.compile(r"<@[UW][A-Z0-9]+>|<!(?:here|channel|everyone)>|(?<![\w.@/])@[A-Za-z][\w.-]{1,30}\b")
_PHONE = re.compile(r"(?<![\w/.-])\+?\d[\d ()./-]{7,}\d(?![\w/-])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,.]*(?:%|k\b)?")
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.M)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _numbers(text: str) -> set[str]:
    text = _LIST_MARKER.sub(" ", text)
    out: set[str] = set()
    for raw in _NUMBER.findall(text):
        value = raw.lstrip("$€£").rstrip(".,").replace(",", "")
        if value:
            out.add(value)
    return out


# Team mailboxes are published contact points, not a person's data.
_ROLE_MAILBOX = re.compile(
    r"^(support|help|billing|invoices?|accounts?|sales|security|privacy|dpo|legal|abuse|info|hello|contact|"
    r"no-?reply|noreply|notifications?|team|admin|ops|status|careers|press|feedback|success)([.+-][\w.-]*)?@",
    re.I,
)


def personal_data(text: str, source: str = "", *, quoted: bool = False) -> str | None:
    """The kind of personal data in `text` that the source does not publish itself, or None.

    `quoted` means the text is a verbatim passage of a customer article (an extractive answer): phone numbers in it
    are the article's published numbers. Personal email addresses and card numbers are blocked even then.
    """
    for email in _EMAIL.findall(text):
        if not _ROLE_MAILBOX.match(email) and email.lower() not in source.lower():
            return "email address"
    for match in _CARD.findall(text):
        digits = re.sub(r"\D", "", match)
        if 13 <= len(digits) <= 19 and _luhn(digits) and digits not in re.sub(r"\D", "", source):
            return "card number"
    if quoted:
        return None
    for match in _PHONE.findall(_DATE.sub(" ", text)):
        digits = re.sub(r"\D", "", match)
        if len(digits) >= 8 and digits not in re.sub(r"\D", "", source):
            return "phone number"
    return None


@dataclass(slots=True)
class Guardrails:
    config: GuardrailConfig
    sentiment: Sentiment
    staff_names: frozenset[str] = frozenset()  # from config ([escalation.guardrails] staff_names)
    # The agents the desk has seen (Slack, Teams, playground display names): a snapshot read, no I/O per reply.
    seen_names: Callable[[], Iterable[str]] = field(default=lambda: ())
    name: str = "guardrails"

    def violation(self, ctx: TurnContext, answer: Answer) -> str | None:
        """Why this answer must not be sent, or None. Pure; tests and the benchmark call it directly."""
        text = answer.text
        if ctx.channel.audience is Audience.CUSTOMER and any(a.audience is Audience.INTERNAL for a in answer.articles):
            return "internal article"
        source = " ".join(
            [*answer.passages, *(a.snippet for a in answer.articles), *(a.title for a in answer.articles)]
            + [*(c.snippet for c in answer.citations), *(c.title for c in answer.citations)]
        )
        generated = answer.usage.output_tokens > 0
        if self.config.people:
            why = self._person(ctx, text, source, generated=generated)
            if why:
                return why
        if self.config.personal_data:
            kind = personal_data(text, source, quoted=not generated)
            if kind:
                return f"personal data ({kind})"
        grounding = answer.passages or ((source,) if source.strip() else ())
        if self.config.check_claims and grounding:
            conflict = contradiction(text, grounding)
            if conflict:
                return f"contradicts its source: {conflict}"
        if self.config.check_numbers and generated and source.strip():
            # Only generated text can bring numbers of its own: extractive answers are verbatim passages.
            missing = sorted(_numbers(text) - _numbers(source))
            if missing:
                return f"numbers not in the source: {', '.join(missing[:5])}"
        score = self.sentiment.score(text, ctx.language)
        if score is not None and score <= self.config.negative_sentiment:
            return f"negative tone ({score:.2f})"
        return None

    def _person(self, ctx: TurnContext, text: str, source: str, *, generated: bool) -> str | None:
        """Why the reply names someone it must not: only the customer may be named."""
        mention = _MENTION.search(_EMAIL.sub(" ", text))
        if mention:
            return f"mentions {mention.group(0)}"
        customer = ctx.inbound.author.name
        person = named_person(text, [*self.staff_names, *self.seen_names()], customer)
        if person:
            return f"names {person}, a member of staff; a reply may name only the customer"
        person = addressed_person(text, source, customer) if generated else None
        if person:
            return f"sends the customer to {person} by name; a reply may name only the customer"
        return None

    def check(self, ctx: TurnContext, answer: Answer) -> Outcome:
        if not self.config.enabled:
            return Proceed()
        why = self.violation(ctx, answer)
        if why is None:
            return Proceed()
        return Stop(
            StopAction.ESCALATE, EscalationReason.GUARDRAIL.value, detail=why, team=answer.team or noted_team(ctx)
        )
