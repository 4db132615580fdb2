"""Guardrails: checks on every AI reply before it is sent; a failed check blocks the reply and escalates
(`guardrail`, with the check's name in the detail).

Blocks replies that cite internal-only articles, name specific people (staff names from the directory, @-mentions),
carry personal data (emails, phone numbers, card numbers) that is not in the cited source, state numbers (prices,
dates, durations) that are not in the cited source, or read as negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.ports import Outcome, Proceed, Stop, StopAction, TurnContext
from bot.core.types import Answer, Audience, EscalationReason
from policies.config import GuardrailConfig
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
    staff_names: frozenset[str] = frozenset()
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
        if self.config.people:
            mention = _MENTION.search(_EMAIL.sub(" ", text))
            if mention:
                return f"mentions {mention.group(0)}"
            for person in self.staff_names:
                if person and re.search(rf"(?<!\w){re.escape(person)}(?!\w)", text):
                    return "names a staff member"
        generated = answer.usage.output_tokens > 0
        if self.config.personal_data:
            kind = personal_data(text, source, quoted=not generated)
            if kind:
                return f"personal data ({kind})"
        if self.config.check_numbers and generated and source.strip():
            # Only generated text can contradict its source: extractive answers are verbatim passages.
            missing = sorted(_numbers(text) - _numbers(source))
            if missing:
                return f"numbers not in the source: {', '.join(missing[:5])}"
        score = self.sentiment.score(text, ctx.language)
        if score is not None and score <= self.config.negative_sentiment:
            return f"negative tone ({score:.2f})"
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
