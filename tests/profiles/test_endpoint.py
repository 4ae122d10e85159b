"""Endpoint profiles: folding exchanges, and merges that agree in any order (what cluster workers rely on)."""

from __future__ import annotations

import json

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.model import SensitiveHit, SensitiveType, Transaction
from tracehound.pipeline.normalize import normalize
from tracehound.pipeline.profile import coerce_scalar, fold
from tracehound.pipeline.segments import provisional_segments
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats


def tx(i: int, status: int = 200, query: str = "", body: object = None, duration: float | None = 12.5) -> Transaction:
    return Transaction(
        seq=i,
        source="t",
        method="GET",
        scheme="https",
        host="api.example.com",
        path=f"/users/{1000 + i}",
        query=query,
        request_headers=(("x-api-key", "k" * 20),),
        status=status,
        response_headers=(("content-type", "application/json"),),
        response_body=json.dumps(body).encode() if body is not None else b"",
        started=1_700_000_000.0 + i,
        duration_ms=duration,
        client="203.0.113.9",
    )


def profile_of(items: list[Transaction], hits: bool = False) -> EndpointProfile:
    p = EndpointProfile()
    for t in items:
        ex = normalize(t)
        mask = f"{t.seq % 3}***@example.com"
        found = [SensitiveHit(type=SensitiveType.EMAIL, location="response.body.email", confidence=0.9, masked=mask)]
        found = found if hits else []
        fold(p, ex, provisional_segments(ex.segments), found, ["response.body.email"])
    return p


seq_lists = st.lists(st.integers(0, 50), max_size=6)


@settings(max_examples=80, deadline=None)
@given(seq_lists, seq_lists)
def test_masked_forms_merge_in_any_order(a: list[int], b: list[int]) -> None:
    pa, pb = profile_of([tx(i) for i in a], hits=True), profile_of([tx(i) for i in b], hits=True)
    ab, ba = profile_of([]), profile_of([])
    ab.merge(pa)
    ab.merge(pb)
    ba.merge(pb)
    ba.merge(pa)
    assert builtins(ab) == builtins(ba)
    masks = ab.sensitive["response.body.email|email"].masks if a or b else []
    assert masks == sorted({f"{i % 3}***@example.com" for i in a + b})[:2]


def builtins(p: EndpointProfile) -> object:
    return msgspec.to_builtins(p)


def test_fold_counts_health_and_parameters() -> None:
    p = profile_of([tx(0, query="page=2&tag=a&tag=b", body={"id": 1}), tx(1, status=404)])
    assert p.count == 2
    assert p.statuses == {"200": 1, "404": 1}
    assert p.query["page"].types == {"integer": 1}
    assert p.query_repeats == {"tag": 1}
    assert p.path_params["1"].types == {"integer": 2}
    assert p.first_seen == 1_700_000_000.0 and p.last_seen == 1_700_000_001.0
    assert p.latency.count == 2
    # Credential headers are counted, their values never kept.
    assert p.headers["x-api-key"].count == 2
    assert p.headers["x-api-key"].enum is None


def test_sensitive_hits_per_location() -> None:
    p = profile_of([tx(0, body={"email": "a@example.com"}), tx(1, body={"email": "b@example.com"})], hits=True)
    stat = p.sensitive["response.body.email|email"]
    assert stat.hits == 2 and stat.confidence_milli == 1800
    assert p.location_seen["response.body.email"] == 2


def test_coerce_scalar() -> None:
    assert coerce_scalar("42") == 42
    assert coerce_scalar("-1.5") == -1.5
    assert coerce_scalar("true") is True
    assert coerce_scalar("007") == "007"
    assert coerce_scalar("abc") == "abc"


tx_lists = st.lists(
    st.builds(
        tx,
        st.integers(0, 50),
        st.sampled_from([200, 201, 404, 500]),
        st.sampled_from(["", "a=1", "a=x&b=2", "q=hello+world"]),
        st.sampled_from([None, {"id": 1}, {"id": "x", "n": None}, [1, 2]]),
        st.one_of(st.none(), st.floats(min_value=0, max_value=5000)),
    ),
    max_size=5,
)


@settings(max_examples=80, deadline=None)
@given(tx_lists, tx_lists, tx_lists)
def test_merge_is_commutative_and_associative(a: list[Transaction], b: list[Transaction], c: list[Transaction]) -> None:
    ab = profile_of(a)
    ab.merge(profile_of(b))
    ba = profile_of(b)
    ba.merge(profile_of(a))
    assert builtins(ab) == builtins(ba)
    ab.merge(profile_of(c))
    bc = profile_of(b)
    bc.merge(profile_of(c))
    a_bc = profile_of(a)
    a_bc.merge(bc)
    assert builtins(ab) == builtins(a_bc)


findings = st.lists(
    st.tuples(
        st.sampled_from(["low", "high", "medium"]),
        st.one_of(st.none(), st.floats(0, 1e9)),
        st.one_of(st.none(), st.sampled_from([f"198.51.100.{i}" for i in range(30)])),
        st.sampled_from(["", "a", "b"]),
    ),
    max_size=8,
)


def stats_of(items: list[tuple[str, float | None, str | None, str]]) -> FindingStats:
    s = FindingStats()
    for item in items:
        s.add(*item)
    return s


@given(findings, findings, findings)
def test_finding_merge_is_commutative_and_associative(a: list, b: list, c: list) -> None:  # type: ignore[type-arg]
    ab = stats_of(a)
    ab.merge(stats_of(b))
    ba = stats_of(b)
    ba.merge(stats_of(a))
    assert msgspec.to_builtins(ab) == msgspec.to_builtins(ba)
    ab.merge(stats_of(c))
    bc = stats_of(b)
    bc.merge(stats_of(c))
    a_bc = stats_of(a)
    a_bc.merge(bc)
    assert msgspec.to_builtins(ab) == msgspec.to_builtins(a_bc)


def test_array_locations_count_items_not_samples() -> None:
    # One item in three holds a name: most samples contain one, but the field is not a name field.
    p = EndpointProfile()
    ex = normalize(tx(0, body=[{"name": "Ada Lovelace"}, {"name": "x"}, {"name": "y"}]))
    hit = SensitiveHit(type=SensitiveType.PERSON_NAME, location="response.body[].name", confidence=0.8)
    for _ in range(4):
        fold(p, ex, provisional_segments(ex.segments), [hit], ["response.body[].name"] * 3)
    stat = p.sensitive["response.body[].name|person_name"]
    assert (stat.hits, p.location_seen["response.body[].name"]) == (4, 12)


def test_every_value_of_a_location_is_counted_before_the_first_hit() -> None:
    p = EndpointProfile()
    ex = normalize(tx(0, body={"name": "x"}))
    for _ in range(3):
        fold(p, ex, provisional_segments(ex.segments), [], ["response.body.name"])
    hit = SensitiveHit(type=SensitiveType.PERSON_NAME, location="response.body.name", confidence=0.8)
    fold(p, ex, provisional_segments(ex.segments), [hit], ["response.body.name"])
    assert p.location_seen["response.body.name"] == 4
