"""The latency sketch: quantiles within 1% relative error; exact merges."""

from __future__ import annotations

import random

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from tracehound.profiles.sketch import LatencySketch

latencies = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=50)


def sketch_of(values: list[float]) -> LatencySketch:
    s = LatencySketch()
    for v in values:
        s.add(v)
    return s


def test_quantiles_are_within_relative_error() -> None:
    rng = random.Random(7)
    values = sorted(rng.lognormvariate(3, 1) for _ in range(10_000))
    s = sketch_of(values)
    for q in (0.5, 0.95, 0.99):
        exact = values[int(q * (len(values) - 1))]
        got = s.quantile(q)
        assert got is not None
        assert abs(got - exact) / exact < 0.02


def test_empty_sketch_has_no_quantile() -> None:
    assert LatencySketch().quantile(0.5) is None


def test_zero_latencies_count() -> None:
    s = sketch_of([0.0, 0.0, 5.0])
    assert s.quantile(0.0) == 0.0
    assert s.count == 3


@given(latencies, latencies, latencies)
def test_merge_is_commutative_and_associative(a: list[float], b: list[float], c: list[float]) -> None:
    def enc(s: LatencySketch) -> bytes:
        return msgspec.msgpack.encode(LatencySketch(bins=dict(sorted(s.bins.items())), zeros=s.zeros, count=s.count))

    ab = sketch_of(a)
    ab.merge(sketch_of(b))
    ba = sketch_of(b)
    ba.merge(sketch_of(a))
    assert enc(ab) == enc(ba)
    ab.merge(sketch_of(c))
    bc = sketch_of(b)
    bc.merge(sketch_of(c))
    a_bc = sketch_of(a)
    a_bc.merge(bc)
    assert enc(ab) == enc(a_bc)
    assert enc(ab) == enc(sketch_of(a + b + c))
