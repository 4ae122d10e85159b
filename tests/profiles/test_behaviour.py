"""Behaviour state: merges are commutative and associative; caps and sketches stay exact."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.profiles.behaviour import (
    KIND_INTEGER,
    KIND_NUMBER,
    KIND_STRING,
    SKETCH_K,
    ActorStats,
    BehaviourState,
    EndpointBehaviour,
    ParamStats,
    PrincipalStats,
    Touch,
    bounded_get,
    char_classes,
    copy_state,
    decode_state,
    describe_classes,
    encode_state,
    hash63,
    sketch_add,
    sketch_count,
    value_kind,
)

small = st.integers(0, 50)
maybe_time = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False))
keys = st.sampled_from([f"k{i}" for i in range(12)])
hashes = st.lists(st.integers(0, (1 << 63) - 1), max_size=80).map(lambda xs: sorted(set(xs))[:SKETCH_K])

params = st.builds(
    ParamStats,
    count=small,
    kinds=st.integers(0, 31),
    chars=st.integers(0, (1 << 35) - 1),
    min_len=st.one_of(st.none(), small),
    max_len=st.one_of(st.none(), small),
)
actors = st.builds(
    ActorStats,
    count=small,
    first_seen=maybe_time,
    last_seen=maybe_time,
    not_found=small,
    failures=small,
    ids=hashes,
    users=hashes,
    walk=small,
)
endpoints = st.builds(
    EndpointBehaviour,
    params=st.dictionaries(keys, params, max_size=5),
    authenticated=small,
    anonymous=small,
    anonymous_ok=small,
    failures=small,
    login=small,
    users=hashes,
    actors=st.dictionaries(keys, actors, max_size=5),
    principals=st.dictionaries(
        keys,
        st.builds(PrincipalStats, count=small, addresses=st.lists(keys, max_size=4, unique=True).map(sorted)),
        max_size=4,
    ),
    objects=st.dictionaries(
        keys, st.dictionaries(keys, st.builds(Touch, count=small, first_seen=maybe_time)), max_size=5
    ),
    id_location=st.sampled_from(["", "request.path.#1", "request.query.id"]),
    schemes=st.dictionaries(keys, small, max_size=3),
    posture=st.integers(0, 7),
)
states = st.builds(BehaviourState, endpoints=st.dictionaries(keys, endpoints, max_size=3), reported=hashes)


def _merged(*parts: BehaviourState) -> bytes:
    out = BehaviourState()
    for part in parts:
        out.merge(copy_state(part))
    return msgspec.msgpack.encode(_canonical(out))


def _canonical(state: BehaviourState) -> object:
    return msgspec.to_builtins(state, order="sorted")


@settings(max_examples=150, deadline=None)
@given(states, states)
def test_merge_is_commutative(a, b):
    assert _merged(a, b) == _merged(b, a)


@settings(max_examples=150, deadline=None)
@given(states, states, states)
def test_merge_is_associative(a, b, c):
    left = copy_state(a)
    left.merge(copy_state(b))
    left.merge(copy_state(c))
    bc = copy_state(b)
    bc.merge(copy_state(c))
    right = copy_state(a)
    right.merge(bc)
    assert _canonical(left) == _canonical(right)


@given(states)
def test_encoding_round_trips(state):
    assert _canonical(decode_state(encode_state(state))) == _canonical(state)


def test_decode_of_nothing_or_garbage_is_empty():
    assert decode_state(None).endpoints == {}
    assert decode_state(b"\xc1garbage").endpoints == {}


@given(st.lists(st.integers(0, 10_000), max_size=300), st.integers(0, 300))
def test_bottom_k_during_folds_equals_trim_of_everything(values, split):
    """Capping while folding keeps exactly what a trim of all keys would keep, in any split."""
    cap = 16
    whole: dict[str, int] = {}
    for v in values:
        slot = bounded_get(whole, f"{v:05d}", lambda: 0, cap)
        if slot is not None:
            whole[f"{v:05d}"] += 1
    expected = sorted({f"{v:05d}" for v in values})[:cap]
    assert sorted(whole) == expected


@given(st.lists(st.integers(0, 1 << 40), max_size=400))
def test_sketch_counts_distinct_values(values):
    sketch: list[int] = []
    for v in values:
        sketch_add(sketch, hash63(str(v)))
    distinct = len(set(values))
    estimate = sketch_count(sketch)
    if distinct < SKETCH_K:
        assert estimate == distinct
    else:
        assert 0.5 * distinct <= estimate <= 2 * distinct


def test_char_classes_and_kinds():
    assert char_classes("abc123") == 0
    assert describe_classes(char_classes("a'b;c <d>")) == "' ; < > space"
    assert value_kind("42", typed=False) == KIND_INTEGER
    assert value_kind("-4.5", typed=False) == KIND_NUMBER
    assert value_kind("42", typed=True) == KIND_STRING
    assert value_kind("4-2", typed=False) == KIND_STRING
