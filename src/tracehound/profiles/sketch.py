"""A mergeable latency sketch with bounded relative error (the DDSketch bucketing).

Why our own instead of the `ddsketch` package: we need integer bucket counts (so merges are
exactly commutative and associative, not up to float rounding) and a compact msgspec-encodable
form for the store and the bus; the bucketing itself is ~20 lines.
"""

from __future__ import annotations

import math

import msgspec

RELATIVE_ACCURACY = 0.01
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
_MIN_VALUE = 1e-3
"""Values below this (milliseconds) are counted as zero."""


class LatencySketch(msgspec.Struct, kw_only=True, gc=False):
    """Counts of values per logarithmic bucket; quantiles within 1% relative error."""

    bins: dict[int, int] = msgspec.field(default_factory=dict)
    zeros: int = 0
    count: int = 0

    def add(self, value: float) -> None:
        if not value < math.inf:  # NaN or infinity: no bucket (math.ceil raises), not a latency
            return
        self.count += 1
        if value < _MIN_VALUE:
            self.zeros += 1
            return
        key = math.ceil(math.log(value) / _LOG_GAMMA)
        bins = self.bins
        bins[key] = bins.get(key, 0) + 1

    def merge(self, other: LatencySketch) -> None:
        self.count += other.count
        self.zeros += other.zeros
        bins = self.bins
        for key, n in other.bins.items():
            bins[key] = bins.get(key, 0) + n

    def quantile(self, q: float) -> float | None:
        """The q-quantile (0..1), or None when empty."""
        if self.count == 0:
            return None
        rank = q * (self.count - 1)
        seen = self.zeros
        if rank < seen:
            return 0.0
        for key in sorted(self.bins):
            seen += self.bins[key]
            if seen > rank:
                return 2 * _GAMMA**key / (_GAMMA + 1)
        return 2 * _GAMMA ** max(self.bins) / (_GAMMA + 1)
