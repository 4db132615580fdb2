"""Is a difference between two groups of channels real? (A campaign vs its holdout, docs/METRICS.md.)

Per-channel counts (e.g. handoff tickets in the 14 days after a campaign) are compared by the difference of their
means, with a 95 % bootstrap confidence interval and a two-sided permutation test's p-value (scipy, seeded, so the
same data always gives the same report). Small groups are reported as too small to conclude, whatever the numbers:
with a handful of channels one busy customer decides the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_PER_GROUP = 5  # fewer channels than this on either side: no conclusion
RESAMPLES = 10_000
SEED = 17
LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Comparison:
    """treated − control, per channel."""

    treated_n: int
    control_n: int
    treated_mean: float | None
    control_mean: float | None
    difference: float | None = None
    low: float | None = None  # 95 % confidence interval of the difference
    high: float | None = None
    p_value: float | None = None  # two-sided permutation test

    @property
    def too_small(self) -> bool:
        return min(self.treated_n, self.control_n) < MIN_PER_GROUP

    @property
    def significant(self) -> bool:
        return not self.too_small and self.p_value is not None and self.p_value < 1 - LEVEL

    def verdict(self, what: str = "tickets per channel") -> str:
        """One sentence a lead can act on."""
        if self.too_small:
            return (f"Sample too small to conclude: {self.treated_n} channels got it and {self.control_n} were held "
                    f"out; at least {MIN_PER_GROUP} on each side are needed.")
        assert self.difference is not None and self.p_value is not None
        direction = "fewer" if self.difference < 0 else "more"
        if self.significant:
            return (f"The channels that got it had {abs(self.difference):.2f} {direction} {what} than the holdout "
                    f"(p = {self.p_value:.3f}): a real difference.")
        return (f"No difference shown: {abs(self.difference):.2f} {direction} {what} is within chance "
                f"(p = {self.p_value:.2f}); more channels or a longer window may tell.")

    def to_json(self) -> dict[str, object]:
        return {
            "treated_n": self.treated_n,
            "control_n": self.control_n,
            "treated_mean": self.treated_mean,
            "control_mean": self.control_mean,
            "difference": self.difference,
            "ci95": None if self.low is None else [self.low, self.high],
            "p_value": self.p_value,
            "too_small": self.too_small,
            "significant": self.significant,
        }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _difference(x: Sequence[float], y: Sequence[float], axis: int = -1) -> object:
    import numpy as np

    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def compare(treated: Sequence[float], control: Sequence[float]) -> Comparison:
    """Difference of means with its confidence interval and p-value; only the means when a group is too small."""
    base = Comparison(len(treated), len(control), _mean(treated), _mean(control))
    if base.too_small:
        return base
    from scipy import stats  # heavy: loaded only when a campaign report asks

    difference = float(_difference(treated, control))  # type: ignore[arg-type]
    if len(set(treated) | set(control)) == 1:  # every channel the same: no spread to test
        return Comparison(base.treated_n, base.control_n, base.treated_mean, base.control_mean, difference,
                          difference, difference, 1.0)
    test = stats.permutation_test((treated, control), _difference, vectorized=True, n_resamples=RESAMPLES,
                                  alternative="two-sided", random_state=SEED)
    interval = stats.bootstrap((treated, control), _difference, vectorized=True, n_resamples=RESAMPLES,
                               confidence_level=LEVEL, method="percentile", random_state=SEED).confidence_interval
    return Comparison(base.treated_n, base.control_n, base.treated_mean, base.control_mean, difference,
                      float(interval.low), float(interval.high), float(test.pvalue))
