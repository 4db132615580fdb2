"""Channel defaults from configuration, and the one rule that turns a stored channel into its effective policy.

Both stores (memory and SQL) keep only what an admin changed; everything else falls back to `ChannelDefaults`, so a
change to `frontdesk.toml` reaches every channel an admin has not overridden. The resolution lives here, once, so the
two stores cannot drift apart. The mode rule itself (the approval period for new channels) is `policies.routing`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any, TypeVar

from bot.core.types import Address, Audience, ChannelPolicy, Mode
from policies.routing import effective_mode

_NO_MODES: Mapping[str, Mode] = MappingProxyType({})

_E = TypeVar("_E", Mode, Audience)

CHANNEL_CHANGES = frozenset({"mode", "threshold", "team", "paused", "ai_share", "audience"})


@dataclass(frozen=True, slots=True)
class ChannelDefaults:
    """What a channel does when no admin has changed it.

    `explicit_modes` maps a channel to a configured mode that skips the new-channel approval period; a key is either
    the bare channel id (``C0123``) or ``platform:workspace:channel`` when ids may clash across workspaces.
    """

    mode: Mode = Mode.AI_FIRST
    threshold: float = 0.70
    approval_days: int = 30  # a new channel starts in pre-approval for this many days; 0 disables
    ai_share: float = 1.0
    team: str = "support"
    vip_customers: frozenset[str] = frozenset()
    vip_orgs: frozenset[str] = frozenset()
    explicit_modes: Mapping[str, Mode] = field(default_factory=lambda: _NO_MODES)

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"ChannelDefaults.threshold must be between 0 and 1, got {self.threshold}")
        if not 0.0 <= self.ai_share <= 1.0:
            raise ValueError(f"ChannelDefaults.ai_share must be between 0 and 1, got {self.ai_share}")
        if self.approval_days < 0:
            raise ValueError(f"ChannelDefaults.approval_days must be 0 or more, got {self.approval_days}")
        # Accept plain config values (lists, mode strings) but keep an immutable copy, so nobody edits it later.
        modes = {str(k): _enum_value(Mode, f"mode of {k}", v) for k, v in self.explicit_modes.items()}
        object.__setattr__(self, "mode", _enum_value(Mode, "default mode", self.mode))
        object.__setattr__(self, "explicit_modes", MappingProxyType({k: m for k, m in modes.items() if m}))
        object.__setattr__(self, "vip_customers", frozenset(self.vip_customers))
        object.__setattr__(self, "vip_orgs", frozenset(self.vip_orgs))

    def configured_mode(self, address: Address) -> Mode | None:
        full = f"{address.platform}:{address.workspace}:{address.channel}"
        return self.explicit_modes.get(full) or self.explicit_modes.get(address.channel)


@dataclass(frozen=True, slots=True)
class ChannelState:
    """What a store remembers about one channel: `None` means "use the default"."""

    created: date
    mode: Mode | None = None  # set only by an admin, which makes it explicit
    threshold: float | None = None
    team: str | None = None
    ai_share: float | None = None
    paused: bool = False
    audience: Audience | None = None


def resolve_policy(defaults: ChannelDefaults, address: Address, state: ChannelState, now: datetime) -> ChannelPolicy:
    explicit = state.mode if state.mode is not None else defaults.configured_mode(address)
    today = utc(now).date()
    return ChannelPolicy(
        mode=effective_mode(explicit, defaults.mode, state.created, today, defaults.approval_days),
        threshold=defaults.threshold if state.threshold is None else state.threshold,
        team=defaults.team if state.team is None else state.team,
        ai_share=defaults.ai_share if state.ai_share is None else state.ai_share,
        paused=state.paused,
        audience=Audience.CUSTOMER if state.audience is None else state.audience,
        explicit_mode=explicit is not None,
    )


def _fraction(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"channel {name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def _enum_value(kind: type[_E], name: str, value: object) -> _E | None:
    if value is None:
        return None
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ValueError(f"channel {name} must be one of {allowed}, got {value!r}") from None


def validated_changes(changes: Mapping[str, object]) -> dict[str, Any]:
    """Check and normalise `set_channel` keyword arguments; `None` resets a setting to its default."""
    unknown = sorted(set(changes) - CHANNEL_CHANGES)
    if unknown:
        raise ValueError(f"unknown channel setting(s) {', '.join(unknown)}; use {', '.join(sorted(CHANNEL_CHANGES))}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "mode":
            out[name] = _enum_value(Mode, name, value)
        elif name == "audience":
            out[name] = _enum_value(Audience, name, value)
        elif name in ("threshold", "ai_share"):
            out[name] = _fraction(name, value)
        elif name == "team":
            if value is not None and not isinstance(value, str):
                raise ValueError(f"channel team must be a string, got {value!r}")
            out[name] = value or None
        elif name == "paused":
            if not isinstance(value, bool):
                raise ValueError(f"channel paused must be true or false, got {value!r}")
            out[name] = value
    return out


def utc(moment: datetime) -> datetime:
    """Stores keep UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
