"""The campaign comparison: too small to conclude, chance, and a real difference, on hand-made channel counts."""

from __future__ import annotations

import pytest

from bot.metrics.significance import compare


def test_fewer_than_five_channels_a_side_is_too_small_whatever_the_numbers() -> None:
    c = compare([0, 0, 0, 0], [9, 9, 9, 9, 9])
    assert c.too_small and not c.significant and c.p_value is None
    assert (c.treated_mean, c.control_mean) == (0.0, 9.0)
    assert c.verdict().startswith("Sample too small to conclude: 4 channels got it and 5 were held out")


def test_a_clear_difference_is_significant_with_its_interval() -> None:
    c = compare([0, 1, 0, 0, 1, 0, 0, 1], [3, 2, 4, 3, 2, 3, 4, 3])
    assert c.difference == pytest.approx(3 / 8 - 3)
    assert c.low is not None and c.high is not None and c.low <= c.difference <= c.high < 0
    assert c.p_value is not None and c.p_value < 0.01 and c.significant
    assert "fewer tickets per channel than the holdout" in c.verdict()


def test_overlapping_groups_are_within_chance_and_the_result_is_reproducible() -> None:
    treated, control = [1, 2, 0, 3, 1, 2], [2, 1, 3, 0, 2, 1]
    c = compare(treated, control)
    assert c.p_value is not None and c.p_value > 0.5 and not c.significant
    assert c.verdict().startswith("No difference shown")
    assert compare(treated, control) == c  # seeded: the same report every time
    same = compare([1] * 5, [1] * 5)
    assert (same.difference, same.p_value) == (0.0, 1.0)
