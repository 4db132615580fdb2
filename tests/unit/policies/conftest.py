"""Shared builders for policy unit tests: a context factory and the shipped policy set, built once per session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

import policies
from bot.core.ports import History, TurnContext
from bot.core.types import Actor, Address, ChannelPolicy, Inbound, InboundKind, Platform

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADDRESS = Address(Platform.WEB, "acme", "shared", "t1")


def make_ctx(
    text: str = "",
    *,
    kind: InboundKind = InboundKind.MESSAGE,
    language: str = "en",
    history: History | None = None,
    channel: ChannelPolicy | None = None,
    customer: str = "U1",
    vip: bool = False,
    sentiment: float | None = None,
    complexity: float | None = None,
    notes: dict[str, str] | None = None,
) -> TurnContext:
    return TurnContext(
        inbound=Inbound("m1", ADDRESS, Actor(customer, "Dana", "acme"), text, NOW, kind=kind),
        history=history or History(),
        channel=channel or ChannelPolicy(),
        now=NOW,
        vip=vip,
        language=language,
        sentiment=sentiment,
        complexity=complexity,
        notes=MappingProxyType(notes or {}),
    )


def build(kb_languages: frozenset[str] = frozenset({"en", "de", "es"}), **overrides: Any) -> policies.PolicySet:
    c = policies.default_config()
    sections: dict[str, Any] = {
        "persona": c.persona,
        "escalation": c.escalation,
        "sensitive": c.sensitive,
        "routing": c.routing,
        "languages": c.languages,
        "teams": c.teams,
    }
    sections.update(overrides)
    return policies.build_policies(**sections, kb_languages=kb_languages)


@pytest.fixture(scope="session")
def policy_set() -> policies.PolicySet:
    return build(staff_names=frozenset({"Maria Lopez"}))


@pytest.fixture(scope="session")
def step(policy_set: policies.PolicySet) -> Callable[[str], Any]:
    by_name = {p.name: p for p in (*policy_set.input, *policy_set.output)}
    return lambda name: by_name[name]
