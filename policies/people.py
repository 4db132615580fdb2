"""People a reply must not name: staff from config and the agents the desk has seen, and (in generated text) anyone
it tells the customer to go to by name ("Ask Sarah Connor on our billing team").

The customer's own name is the one person a reply may name. Full names and handles match in any case; a single
word ("Sarah", a first name of "Sarah Connor") only capitalised and not at the start of a sentence, because single
names are often words too ("Mark the invoice as paid", "Grace period").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from policies.text import fold

_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n•*-])\s*$")
# Generated text sending the customer to someone by name: a verb of contact, then one or two capitalised words.
_ADDRESSED = re.compile(
    r"\b(?i:ask|contact|reach out to|email|e-mail|message|ping|call|speak to|speak with|talk to|write to|"
    r"get in touch with)\s+(?:(?i:our|your)\s+)?((?:[A-Z][a-z'’-]+)(?:\s[A-Z][a-z'’-]+)?)\b"
)
# Capitalised words after a contact verb that name a team or a role, not a person.
_ROLES = frozenset(
    ["support", "billing", "sales", "security", "privacy", "legal", "success", "customer", "customers", "team", "teams", "us", "admin", "admins", "administrator", "owner", "owners", "manager", "account", "accounts", "engineering", "finance", "help", "helpdesk", "desk", "service", "services", "someone", "somebody", "anyone", "the", "your", "our", "an", "a", "it", "them"]
)
MIN_NAME = 3  # shorter names ("Al", "Jo") are too often parts of words or abbreviations to match on their own


def _variants(name: str) -> tuple[str, ...]:
    """The forms of a name a reply might use: the full name, and for "First Last" the first name."""
    clean = " ".join(name.strip().lstrip("@").split())
    if len(clean) < MIN_NAME or clean.startswith("<"):
        return ()
    parts = clean.split(" ")
    if len(parts) > 1 and len(parts[0]) >= MIN_NAME:
        return (clean, parts[0])
    return (clean,)


def _single_word_named(text: str, word: str) -> bool:
    for match in re.finditer(rf"(?<![\w@.]){re.escape(word)}(?![\w])", text):
        if match.group(0)[:1].isupper() and not _SENTENCE_START.search(text[: match.start()]):
            return True
    return False


def named_person(text: str, names: Iterable[str], customer: str = "") -> str | None:
    """The first of `names` that `text` names, other than the customer, or None."""
    allowed = {fold(v) for v in _variants(customer)}
    for name in names:
        for variant in _variants(name):
            if fold(variant) in allowed:
                continue
            if " " in variant or not variant[:1].isalpha() or any(ch in variant for ch in "._"):
                if re.search(rf"(?<![\w]){re.escape(variant)}(?![\w])", text, re.I):
                    return variant
            elif _single_word_named(text, variant):
                return variant
    return None


def addressed_person(text: str, source: str, customer: str = "") -> str | None:
    """A capitalised name generated text sends the customer to ("Ask Sarah Connor …"), unless the source names it
    too or it is a team or role ("contact Support")."""
    allowed = {fold(v) for v in _variants(customer)}
    folded_source = fold(source)
    for match in _ADDRESSED.finditer(text):
        name = match.group(1)
        words = fold(name).split()
        if any(w in _ROLES for w in words) or fold(name) in allowed or fold(name) in folded_source:
            continue
        return name
    return None
