"""What the pipeline keeps of values a classifier could not judge: nothing that could be sensitive."""

from __future__ import annotations

import json

import msgspec

from tracehound.classifiers.engine import SensitiveDataEngine
from tracehound.model import Transaction
from tracehound.model.fields import MAX_FIELDS, body_fields
from tracehound.pipeline.normalize import normalize
from tracehound.pipeline.runner import Pipeline


def tx(i: int, path: str = "/orders", query: str = "", body: object = None, method: str = "POST") -> Transaction:
    return Transaction(
        seq=i,
        source="t",
        method=method,
        scheme="https",
        host="api.example.com",
        path=path,
        query=query,
        request_headers=(("content-type", "application/json"),),
        request_body=json.dumps(body).encode() if body is not None else b"",
        status=200,
        response_headers=(("content-type", "application/json"),),
        response_body=b"{}",
        started=1_700_000_000.0 + i,
        duration_ms=5.0,
        client="203.0.113.9",
    )


def test_a_body_cut_at_the_field_cap_keeps_no_values() -> None:
    """Past MAX_FIELDS values a body is not classified to its end, so no value of it is kept:
    the schema still folds every key (up to its own caps), only enums are dropped."""
    pipeline = Pipeline(classifier=SensitiveDataEngine())
    filler = {f"f{i}": i for i in range(MAX_FIELDS)}
    for i in range(3):
        pipeline.process(tx(i, body={"status": "open", "password": "zzzzzzzzzz", **filler}))
    (profile,) = pipeline.deltas.endpoints.values()
    assert profile.request_body.properties["status"].enum is None
    assert b"zzzzzzzzzz" not in msgspec.msgpack.encode(profile)

    small = Pipeline(classifier=SensitiveDataEngine())
    for i in range(3):
        small.process(tx(i, body={"status": "open"}))
    (profile,) = small.deltas.endpoints.values()
    assert profile.request_body.properties["status"].enum == ["open"]


def test_names_that_are_data_become_a_placeholder_everywhere() -> None:
    ex = normalize(tx(0, query="jane.doe%40example.com&page=2", body={"byCard": {"4111111111111111": 1}}))
    assert [name for name, _ in ex.query] == ["{key}", "page"]
    assert [loc for loc, _ in body_fields(ex.request_body, "request.body")] == ["request.body.byCard.{key}"]
