"""Plain sentences for every machine reason code, and for what agents did on a handoff: the one table agents read.

Decisions, tickets and traces keep short codes (`no_knowledge`, `sensitive:billing_dispute`, `claimed_by_human`)
because metrics group by them; people never see a code. Slack cards, Teams cards, the playground's "why" line and
the dashboard all call `describe_reason`, so a reason reads the same everywhere. Sentences a *customer* reads are
stock phrases per language (`policies/defaults/phrases.toml`), never these.
"""

from __future__ import annotations

from bot.core.types import SENSITIVE_PREFIX

# Why a person was brought in (escalations and drafts), as an agent would say it.
REASONS: dict[str, str] = {
    "asked_for_human": "The customer asked for a person.",
    "low_confidence": "The AI was not sure enough of its answer to send it.",
    "repeated_failure": "The AI's answers did not help, twice.",
    "no_knowledge": "Nothing in the knowledge base covers this yet.",
    "vip": "VIP customer: a person always answers.",
    "routing": "Sent to a person by the rollout or complexity rule.",
    "guardrail": "The AI's answer was held back by a safety check.",
    "language": "There is no knowledge base in the customer's language.",
    "rejected_draft": "An agent rejected the AI's draft; a person writes the answer.",
    "pre_approval": "The AI drafted an answer that needs an agent's approval.",
    "agent_first": "Agent-first channel: you write the answer, the AI suggests references.",
    "parallel": "Parallel channel: the AI drafted an answer; write yours and pick the better one.",
    "no_ai_requested": "The customer asked for no AI answers: from now on a person answers all their messages.",
    "no_ai": "This customer asked for no AI answers: a person answers (the AI said nothing).",
    "internal_error": "Frontdesk hit an error while reading this message, so a person takes it.",
    # Turns where the AI answered or stayed quiet (the playground's "why" line, the dashboard's traces).
    "answered": "Answered from the knowledge base.",
    "clarify": "Asked the customer for more detail.",
    "greeting": "Greeted the customer.",
    "no_words": "Asked the customer what they need.",
    "farewell": "The customer said goodbye.",
    "acknowledged": "The customer only acknowledged (e.g. \"ok\", \"thanks\").",
    "claimed_by_human": "A person is handling this conversation, so the AI stays quiet.",
    "awaiting_human": "Waiting for a person to pick this up, so the AI stays quiet.",
    "paused": "The AI is paused in this channel.",
    "mode_off": "The AI is switched off in this channel.",
    "not_a_customer": "A colleague wrote this, not a customer.",
    "no_question": "There was no question to answer.",
}

# Sensitive topics by name; an unknown topic still reads as words.
TOPICS: dict[str, str] = {
    "complaint": "a complaint",
    "billing_dispute": "a billing dispute",
    "data_privacy": "data privacy",
    "threat_abuse": "a threat or abuse",
    "legal": "a legal matter",
    "negative_sentiment": "an upset customer",
}


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip()


def describe_reason(reason: str) -> str:
    """The sentence for a reason code; an unknown code becomes words ("some_new_rule" -> "Some new rule."), never
    the code itself."""
    if reason in REASONS:
        return REASONS[reason]
    if reason.startswith(SENSITIVE_PREFIX):
        topic = reason[len(SENSITIVE_PREFIX) :]
        return f"Sensitive topic ({TOPICS.get(topic, _words(topic))}): a person answers, never the AI."
    words = _words(reason)
    return f"{words[:1].upper()}{words[1:]}." if words else "No reason was recorded."


# Reason codes as short phrases, for lists and tables where a whole sentence per entry would not read
# ("Escalation reasons: asked for a person 3, nothing in the knowledge base 2").
SHORT: dict[str, str] = {
    "asked_for_human": "asked for a person",
    "low_confidence": "AI not sure enough",
    "repeated_failure": "AI failed twice",
    "no_knowledge": "nothing in the knowledge base",
    "vip": "VIP customer",
    "routing": "rollout or complexity rule",
    "guardrail": "held back by a safety check",
    "language": "no articles in their language",
    "rejected_draft": "draft rejected",
    "pre_approval": "draft awaiting approval",
    "agent_first": "agent-first channel",
    "parallel": "parallel channel",
    "no_ai_requested": "asked for no AI answers",
    "no_ai": "customer wants no AI answers",
    "not_helpful": "voted not helpful",
    "internal_error": "Frontdesk error",
}


def short_reason(reason: str) -> str:
    """A reason code as a short phrase; unknown codes become words, never the code itself."""
    if reason in SHORT:
        return SHORT[reason]
    if reason.startswith(SENSITIVE_PREFIX):
        topic = reason[len(SENSITIVE_PREFIX) :]
        return f"sensitive: {TOPICS.get(topic, _words(topic))}"
    return _words(reason) or "no reason recorded"


# What an agent did on a handoff, for the card's history line ("Approved by Alex at 14:02").
EVENTS: dict[str, str] = {
    "approved": "Approved the AI's draft",
    "edited": "Edited the AI's draft and sent it",
    "rejected": "Rejected the AI's draft",
    "handed_back": "Handed the conversation back to the AI",
    "picked_ai": "Sent the AI's draft (picked over their own)",
    "picked_agent": "Sent their own reply (picked over the AI's draft)",
    "suggestion_accepted": "Sent the AI's improved wording",
    "suggestion_edited": "Edited the AI's improved wording and sent it",
    "suggestion_rejected": "Sent their own wording (declined the AI's)",
    "wrote": "Replied in their own words",
}


def describe_event(kind: str) -> str:
    return EVENTS.get(kind) or _words(kind).capitalize()


PRIORITIES: dict[str, str] = {"normal": "", "high": "High priority", "urgent": "Urgent"}


def describe_priority(priority: str) -> str:
    """"High priority" / "Urgent" for a badge; "" for normal (no badge)."""
    return PRIORITIES.get(priority, _words(priority).capitalize())
