"""The stepwise gzip decoder: the same bytes as ``gzip.decompress`` within the budget, TooLarge past
it without ever holding much more than the budget, BatchError for corrupt bodies, nothing else."""

from __future__ import annotations

import contextlib
import gzip
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.api._gunzip import DecodeSlots, GzipDecoder
from tracehound.cluster.batch import BatchError, TooLarge

MiB = 1 << 20


def decode_all(body: bytes, budget: int) -> bytes:
    decoder = GzipDecoder(body, budget)
    assert decoder.advance(budget + 1)
    return decoder.result()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=5000), repeat=st.integers(1, 400), budget=st.integers(1, 2_000_000))
def test_decodes_what_gzip_decodes_within_the_budget(data: bytes, repeat: int, budget: int) -> None:
    plain = data * repeat
    body = gzip.compress(plain)
    if len(plain) <= budget:
        assert decode_all(body, budget) == plain
    else:
        with pytest.raises(TooLarge):
            decode_all(body, budget)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=3000), cut=st.integers(0, 3000))
def test_corrupt_or_truncated_bodies_are_batch_errors_only(body: bytes, cut: int) -> None:
    for candidate in (body, gzip.compress(body)[:cut], b"\x1f\x8b" + body):
        with contextlib.suppress(BatchError, TooLarge):
            decode_all(candidate, 1 << 16)


def test_a_truncated_body_says_so() -> None:
    body = gzip.compress(b"x" * 100_000)
    with pytest.raises(BatchError, match="truncated"):
        decode_all(body[: len(body) // 2], 1 << 20)


def test_a_body_decoded_in_many_steps_is_whole() -> None:
    plain = b"a" * (5 * MiB + 17)  # a few KB of input, six steps of output
    assert decode_all(gzip.compress(plain), 6 * MiB) == plain
    with pytest.raises(BatchError, match="truncated"):  # cut after the data, before the trailer
        decode_all(gzip.compress(plain)[:-8], 6 * MiB)


def test_a_bomb_never_holds_much_more_than_the_budget() -> None:
    bomb = gzip.compress(b"\0" * (63 * MiB), 9)
    assert len(bomb) < 70 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge, match=str(4 * MiB)):
            decode_all(bomb, 4 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB * 2.5  # the budget, one step, the buffer's growth; never the 63 MiB


def test_advance_stops_at_the_mark_and_goes_on_later() -> None:
    plain = bytes(range(256)) * 8192  # 2 MiB
    decoder = GzipDecoder(gzip.compress(plain), 4 * MiB)
    assert decoder.advance(256 * 1024) is False
    assert decoder._size == 256 * 1024  # never past the mark: that is the free allowance
    with pytest.raises(RuntimeError):
        decoder.result()
    assert decoder.advance(4 * MiB + 1) is True
    assert decoder.result() == plain


def test_a_raw_deflate_or_zlib_stream_is_not_gzip() -> None:
    with pytest.raises(BatchError):
        decode_all(zlib.compress(b"hello" * 100), 1 << 20)


def test_decode_slots_never_wait() -> None:
    slots = DecodeSlots(2)
    assert slots.try_take() and slots.try_take()
    assert not slots.try_take()
    slots.give_back()
    assert slots.try_take()
