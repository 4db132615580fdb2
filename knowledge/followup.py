"""Follow-up questions: rewrite a message that leans on the thread ("does it work on the Starter plan?") into a
query that carries the topic of the customer's earlier turns, for retrieval and passage choice.

No LLM is needed (the answer path runs without one): a message is a follow-up when it points back with a pronoun
or is too short to name a topic on its own, and then the most recent earlier customer turn that names one is put
in front of it. A message that names its own topic keeps its own words, so a new question in an old thread is not
dragged back to the old topic. The LLM, when there is one, also sees the earlier turns (knowledge/llm.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from bot.core.types import Question
from knowledge.asks import without_ask_words
from knowledge.terms import terms

# Words that refer back to something named earlier in the thread (English; other languages rely on length alone).
_BACK_REFERENCES = frozenset(
    [
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "their",
        "there",
        "same",
        "one",
        "ones",
        "such",
        "also",
        "too",
        "either",
        "both",
        "other",
        "another",
        "instead",
    ]
)
_WORD = re.compile(r"[\w']+")
SHORT_QUESTION_TERMS = 2  # a message with at most this many content words cannot name its topic alone
HISTORY_TURNS = 3  # earlier customer turns looked at, most recent first
# How much more confident the thread's topic must make a self-standing message before it is searched with it.
THREAD_GAIN = 0.2


class _Found(Protocol):
    @property
    def confidence(self) -> float: ...


R = TypeVar("R", bound=_Found)


# "what about amex?", "and for annual?", "how about the EU region?": the thread's question, asked of something else.
_ALSO_FOR = re.compile(r"^\W*(and\b|what about|how about|what if|same for|also for|und\b|y\b|¿?y (si|para|con)\b)", re.I)


# Replies that carry no topic ("ok", "thanks!", "great, thx").
_ACKNOWLEDGEMENTS = "ok okay thank thanks thx ty cool great yes yeah yep nope sure alright fine perfect danke gracias vale"


def _own_terms(text: str, language: str) -> set[str]:
    # "how long is the link valid?" names the link, not a topic of its own: the words asking for a figure or a
    # time ("how long", "when") say nothing about the subject.
    return terms(without_ask_words(text), language)


def points_back(text: str, language: str) -> bool:
    """The message refers to something said earlier: a pronoun ("does it work on Starter?", "how long does that
    take?") or an opening that carries the earlier question over ("what about amex?")."""
    if _ALSO_FOR.search(text):
        return True
    words = {w.casefold() for w in _WORD.findall(text)}
    return language.startswith("en") and bool(words & _BACK_REFERENCES)


def is_follow_up(text: str, language: str) -> bool:
    """A message that leans on the thread: it refers back with a pronoun, or has too few content words."""
    own = _own_terms(text, language)
    if len(own) <= SHORT_QUESTION_TERMS:
        return True
    return points_back(text, language) and len(own) <= 2 * SHORT_QUESTION_TERMS


def earlier_turns(text: str, history: Sequence[str]) -> list[str]:
    """The earlier customer turns, most recent first (the current message is dropped if the history holds it)."""
    turns = [h for h in history if h.strip()]
    if turns and turns[-1].strip() == text.strip():
        turns = turns[:-1]
    return turns[::-1][:HISTORY_TURNS]


def with_context(text: str, history: Sequence[str], language: str) -> str | None:
    """`text` behind the earlier customer turns back to the most recent one that names a topic on its own (None
    when no earlier turn names one): "how do I invite teammates?", "how long is the link valid?", "and can I resend
    it?" is searched with all three, since the middle one is itself a follow-up."""
    chain: list[str] = []
    for turn in earlier_turns(text, history):
        if not _own_terms(turn, language) - terms(_ACKNOWLEDGEMENTS, language):
            continue  # "ok", "thanks": nothing to carry
        chain.append(turn.strip())
        if not is_follow_up(turn, language):
            return " ".join([*chain[::-1], text.strip()])
    # No earlier turn stands alone ("How do I invite teammates?" is short too): the chain still names something when
    # one of its turns has a couple of content words.
    if any(len(_own_terms(t, language)) >= SHORT_QUESTION_TERMS for t in chain):
        return " ".join([*chain[::-1], text.strip()])
    return None


def in_thread(
    retrieve: Callable[[str], R | None],
    question: Question,
    confident: float,
    related: Callable[[R, set[str]], bool] | None = None,
) -> tuple[str, R | None]:
    """The query and retrieval for a message in its thread: a follow-up that leans on the thread ("does it work on
    the Starter plan?") is searched with the earlier turn's topic; another message is too when on its own it is
    unsure (below `confident`) and the thread makes it clearly (THREAD_GAIN) more confident.

    `related(found, words)` says whether what the thread found still concerns the message's own content words: "what
    is the capital of France" after a pricing answer is short, but the pricing article says nothing of capitals or
    France, so it is not answered from the old topic (a message with no content words of its own leans on the
    thread entirely)."""
    plain = retrieve(question.text)
    context = with_context(question.text, question.history, question.language)
    if context is None or plain is None:
        return question.text, plain
    follow_up = is_follow_up(question.text, question.language)
    if not follow_up and plain.confidence >= confident:
        return question.text, plain
    threaded = retrieve(context)
    if threaded is None:
        return question.text, plain
    own = terms(question.text, question.language)
    # A message that points back ("what about amex?") is about the thread's topic by its own words; one that is only
    # short ("what is the capital of France") must still concern what the thread found.
    pointing = points_back(question.text, question.language)
    if related is not None and own and not pointing and not related(threaded, own):
        return question.text, plain
    if follow_up or threaded.confidence > plain.confidence + THREAD_GAIN:
        return context, threaded
    return question.text, plain


def shares_words(found: Any, words: set[str], language: str) -> bool:
    """Whether the top article a retrieval found (`KnowledgeBase.retrieve`'s result) shares a content word with the
    message itself, in its title, headings or text."""
    hits = found.ranking.hits
    if not hits:
        return False
    article = found.index.articles[hits[0].row]
    # Section by section: passage-sized texts keep their terms cached (`terms`), so a popular article is not
    # re-tokenised whole on every follow-up.
    texts = [article.title, *(f"{p.heading} {p.text}" for p in article.passages)]
    return any(words & terms(text, language) for text in texts)
