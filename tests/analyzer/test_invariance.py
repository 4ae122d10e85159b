"""The inventory depends on the distinct observations, not on volume or order.

Duplicating traffic adds no information: analysing a sample once, or every transaction of it
several times over in another order, gives the same endpoints with the same parameters.
"""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.analyzer.inventory import build_inventory
from tracehound.model import Transaction
from tracehound.pipeline.runner import Pipeline
from tracehound.profiles.endpoint import DISTINCT_SKETCH, EndpointProfile

COLLECTIONS = ["users", "orders", "projects", "teams", "files", "jobs", "keys", "regions", "secrets", "roles"]
PREFIXES = ["", "/v1", "/api/v2", "/2020-08-01"]
WORDS = ["alpha", "bravo", "delta", "kilo", "lima", "oscar", "sierra", "tango", "zulu", "echo"]


def _value(style: str, n: int) -> str:
    if style == "int":
        return str(1000 + 37 * n)
    if style == "uuid":
        return f"{n:08x}-1111-4222-8333-{n * 7919:012x}"
    if style == "slug":
        return f"{WORDS[n % 10]}-{WORDS[(n // 10 + 3) % 10]}-{n}"
    if style == "handle":
        return f"{WORDS[n % 10]}{10 + n}"
    return WORDS[n % 10]


API = st.fixed_dictionaries(
    {
        "prefix": st.sampled_from(PREFIXES),
        "collections": st.lists(
            st.tuples(
                st.sampled_from(COLLECTIONS),
                st.sampled_from(["int", "uuid", "slug", "handle", "word"]),
                st.sampled_from(["", "/members", "/runs", "/status"]),
            ),
            min_size=1,
            max_size=5,
            unique_by=lambda c: c[0],
        ),
    }
)

REQUESTS = st.lists(
    st.tuples(
        st.integers(0, 4),  # collection (modulo how many there are)
        st.integers(0, 24),  # value
        st.booleans(),  # to the sub-resource
        st.sampled_from(["GET", "GET", "POST", "DELETE"]),
        st.booleans(),  # the list instead of one item
    ),
    min_size=1,
    max_size=60,
)


def _traffic(api: dict[str, Any], requests: list[tuple[int, int, bool, str, bool]]) -> list[Transaction]:
    out = []
    for i, (c, n, sub, method, listing) in enumerate(requests):
        name, style, below = api["collections"][c % len(api["collections"])]
        path = f"{api['prefix']}/{name}"
        body: dict[str, Any] = {"items": [], "total": 0}
        if not listing:
            path += "/" + _value(style, n)
            body = {"id": 1, f"{name}_a": 1, f"{name}_b": "x"}
            if sub and below:
                path += below
                body = {f"{below[1:]}_c": True}
        out.append(
            Transaction(
                seq=i,
                source="t",
                method=method,
                scheme="https",
                host="api.example.com",
                path=path,
                status=200,
                response_headers=(("content-type", "application/json"),),
                response_body=json.dumps(body).encode(),
                started=1_700_000_000.0 + i,
                duration_ms=5.0,
            )
        )
    return out


def _inventory(traffic: list[Transaction]) -> list[tuple[str, str, tuple[str | None, ...]]]:
    pipeline = Pipeline()
    for tx in traffic:
        pipeline.process(tx)
    inventory = build_inventory(pipeline.deltas.endpoints, {})
    return sorted((ep.method, ep.path, ep.template.kinds) for eps in inventory.services.values() for ep in eps)


@settings(max_examples=60, deadline=None)
@given(api=API, requests=REQUESTS, times=st.integers(2, 4), seed=st.integers(0, 2**32))
def test_inventory_ignores_duplication_and_order(
    api: dict[str, Any], requests: list[tuple[int, int, bool, str, bool]], times: int, seed: int
) -> None:
    traffic = _traffic(api, requests)
    repeated = traffic * times
    random.Random(seed).shuffle(repeated)
    assert _inventory(repeated) == _inventory(traffic)


def test_repeated_requests_do_not_split_a_parameter() -> None:
    # Values of one parameter; a few of them repeated many times (a busy user, a retried call).
    # Counted by requests, the repeated ones spread their traffic differently from the rest.
    api = {"prefix": "", "collections": [("users", "handle", "/runs")]}
    requests = [(0, n, False, "GET", False) for n in range(12)] + [(0, n, True, "GET", False) for n in range(0, 12, 2)]
    busy = [(0, n, False, "GET", False) for n in range(3)] * 40
    once = _inventory(_traffic(api, requests))
    assert [path for _, path, _ in once] == ["/users/{userId}", "/users/{userId}/runs"]
    assert _inventory(_traffic(api, requests + busy)) == once


def _request(i: int, path: str, body: dict[str, Any]) -> Transaction:
    return Transaction(
        seq=i,
        source="t",
        method="GET",
        scheme="https",
        host="api.example.com",
        path=path,
        status=200,
        response_headers=(("content-type", "application/json"),),
        response_body=json.dumps(body).encode(),
        started=1_700_000_000.0 + i,
    )


def test_a_request_mix_given_four_times_splits_nothing_more() -> None:
    # Nine siblings with one envelope; half read items more, half their runs. Counted by
    # requests, four copies make the same proportions "significant" and split the siblings.
    traffic = []
    for c, name in enumerate(COLLECTIONS[:9]):
        items, runs = (6, 2) if c % 2 else (2, 6)
        for n in range(items + runs):
            path = f"/api/{name}/{1000 + 100 * c + n}" + ("/runs" if n >= items else "")
            traffic.append(_request(len(traffic), path, {"runs": []} if n >= items else {"id": 1, "name": "x"}))
    once = _inventory(traffic)
    repeated = traffic * 4
    random.Random(4).shuffle(repeated)
    assert _inventory(repeated) == once


def test_distinct_requests_count_each_request_once() -> None:
    profile = EndpointProfile(count=10)
    for digest in (5, 3, 5, 9, 3):
        profile.add_request(digest)
    assert profile.distinct == [3, 5, 9]
    assert profile.distinct_requests() == 3
    other = EndpointProfile()
    for digest in (9, 11):
        other.add_request(digest)
    profile.merge(other)
    assert profile.distinct_requests() == 4


def test_distinct_requests_beyond_the_sketch_are_estimated_whatever_the_order() -> None:
    rng = random.Random(1)
    digests = [rng.randrange(1 << 62) for _ in range(1000)]
    forward, backward = EndpointProfile(), EndpointProfile()
    for d in digests:
        forward.add_request(d)
    for d in reversed(digests * 2):
        backward.add_request(d)
    assert forward.distinct == backward.distinct
    assert len(forward.distinct) == DISTINCT_SKETCH
    assert 700 <= forward.distinct_requests() <= 1400


def test_a_profile_stored_without_the_sketch_counts_its_requests() -> None:
    assert EndpointProfile(count=7).distinct_requests() == 7
