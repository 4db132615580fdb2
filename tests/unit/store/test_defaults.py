"""`ChannelDefaults` accepts plain config values, validates them, and keeps an immutable copy."""

from __future__ import annotations

import pytest

from bot.core.types import Mode
from bot.store.defaults import ChannelDefaults


def test_channel_defaults_take_config_values_and_freeze_them() -> None:
    modes: dict[str, object] = {"C1": "parallel"}
    defaults = ChannelDefaults(mode="hybrid", explicit_modes=modes, vip_orgs=["T1"])  # type: ignore[arg-type]
    modes["C2"] = "off"
    assert defaults.mode is Mode.HYBRID and dict(defaults.explicit_modes) == {"C1": Mode.PARALLEL}
    assert defaults.vip_orgs == frozenset({"T1"})
    with pytest.raises(ValueError, match="mode of C1 must be one of"):
        ChannelDefaults(explicit_modes={"C1": "fast"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        ChannelDefaults(threshold=2)
