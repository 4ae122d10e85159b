from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehound.errors import InputError
from tracehound.model import Transaction
from tracehound.sources import NdjsonSource, Rejection, encode_ndjson

from .helpers import write


def record(**overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "v": 1,
        "time": "2026-11-25T10:00:00Z",
        "client": "203.0.113.9",
        "request": {
            "method": "get",
            "url": "https://API.example.com:443/users/42?x=1",
            "headers": [["Host", "api.example.com"], ["X-Request-Id", "hdr-id"]],
        },
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": '{"id": 42}'},
        "duration_ms": 12.5,
    }
    rec.update(overrides)
    return rec


def lines(*records: Any) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def read(path: Path, **kwargs: Any) -> list[Transaction | Rejection]:
    return list(NdjsonSource(path, **kwargs))


@pytest.mark.parametrize("name", ["t.ndjson", "t.jsonl.gz"])
def test_reads_valid_records(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, lines(record(), record(time=1795600801.5, request_id="rid")))
    items = read(path, start_seq=3)
    assert all(isinstance(i, Transaction) for i in items)
    first, second = items
    assert isinstance(first, Transaction) and isinstance(second, Transaction)
    assert (first.seq, second.seq) == (3, 4)
    assert (first.method, first.scheme, first.host, first.path, first.query) == (
        "GET",
        "https",
        "api.example.com",
        "/users/42",
        "x=1",
    )
    assert first.request_headers == (("host", "api.example.com"), ("x-request-id", "hdr-id"))
    assert first.response_headers == (("content-type", "application/json"),)
    assert first.response_body == b'{"id": 42}' and first.status == 200
    assert first.started == 1795600800.0 and second.started == 1795600801.5
    assert first.duration_ms == 12.5 and first.client == "203.0.113.9"
    assert first.request_id == "hdr-id" and second.request_id == "rid"


def test_blank_lines_are_skipped_but_counted_in_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "t.ndjson", lines(record(), b"", b"   ", b"{bad", record()))
    items = read(path)
    assert isinstance(items[1], Rejection) and items[1].index == 3
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2]


@pytest.mark.parametrize(
    ("rec", "reason"),
    [
        (record(v=2), "unsupported format version v='2'"),
        ({"v": 2, "something": "else"}, "unsupported format version"),
        ({"request": {"method": "GET", "url": "http://a/"}}, "no 'v' field"),
        (record(request={"method": "GET"}), "invalid record"),
        (record(request={"method": "GET", "url": 5}), "$.request.url"),
        (record(response={"status": "200"}), "$.response.status"),
        (record(request={"method": "GET", "url": "/relative"}), "invalid request.url"),
        (record(request={"method": "GET", "url": "http://a/", "headers": [["a"]]}), "$.request.headers"),
        (
            record(request={"method": "GET", "url": "http://a/", "body": "!!", "body_encoding": "base64"}),
            "base64",
        ),
        (
            record(request={"method": "GET", "url": "http://a/", "body": "x", "body_encoding": "zip"}),
            "encoding",
        ),
        ([1, 2], "not a Tracehound NDJSON record"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(tmp_path: Path, rec: Any, reason: str) -> None:
    path = write(tmp_path / "t.ndjson", lines(rec, record()))
    items = read(path)
    assert isinstance(items[0], Rejection), items[0]
    assert reason in items[0].reason
    assert items[0].index == 0
    assert isinstance(items[1], Transaction)


def test_base64_bodies_and_forwarded_client(tmp_path: Path) -> None:
    blob = bytes(range(256))
    rec = record(
        client=None,
        request={
            "method": "POST",
            "url": "http://a.example/up",
            "headers": {"X-Forwarded-For": "198.51.100.1, 10.0.0.1"},
            "body": base64.b64encode(blob).decode(),
            "body_encoding": "base64",
        },
    )
    (tx,) = read(write(tmp_path / "t.ndjson", lines(rec)))
    assert isinstance(tx, Transaction)
    assert tx.request_body == blob and tx.client == "198.51.100.1"


def test_invalid_utf8_is_repaired(tmp_path: Path) -> None:
    raw = json.dumps(record(response={"status": 200, "body": "caf@"})).encode().replace(b"caf@", b"caf\xff")
    (tx,) = read(write(tmp_path / "t.ndjson", raw))
    assert isinstance(tx, Transaction) and tx.response_body == "caf\ufffd".encode()


def test_line_over_the_cap_is_rejected_and_skipped(tmp_path: Path) -> None:
    big = record(response={"status": 200, "body": "x" * 10000})
    path = write(tmp_path / "t.ndjson", lines(record(), big, record()))
    items = read(path, max_line_bytes=2000)
    assert isinstance(items[1], Rejection) and items[1].reason == "line larger than 2000 bytes"
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2]


def test_bad_gzip_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "t.ndjson.gz"
    path.write_bytes(b"plain text")
    with pytest.raises(InputError, match="gzip"):
        NdjsonSource(path, compressed=True)


def test_truncated_gzip_ends_with_a_rejection(tmp_path: Path) -> None:
    path = write(tmp_path / "t.ndjson.gz", lines(*[record(duration_ms=i) for i in range(2000)]))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    items = read(path, compressed=True)
    assert isinstance(items[-1], Rejection) and "truncated" in items[-1].reason


transactions = st.builds(
    Transaction,
    seq=st.just(0),
    source=st.just("x"),
    method=st.sampled_from(["GET", "POST", "PATCH"]),
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(["a.example", "b.example:8443", "[2001:db8::1]"]),
    path=st.text("abc/%20", max_size=20).map(lambda p: "/" + p),
    query=st.text("ab=&%2", max_size=10),
    request_headers=st.lists(st.tuples(st.text("abc-", min_size=1, max_size=5), st.text(max_size=20)), max_size=3).map(
        tuple
    ),
    request_body=st.binary(max_size=40) | st.text(max_size=40).map(str.encode),
    status=st.integers(0, 599),
    response_headers=st.lists(st.tuples(st.text("abc-", min_size=1), st.text(max_size=20)), max_size=3).map(tuple),
    response_body=st.binary(max_size=40),
    started=st.none() | st.floats(0, 4e9),
    duration_ms=st.none() | st.floats(0, 1e6),
    client=st.none() | st.just("203.0.113.9"),
    request_id=st.none() | st.text(min_size=1, max_size=10),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(txs=st.lists(transactions, max_size=5))
def test_encode_ndjson_round_trips(tmp_path: Path, txs: list[Transaction]) -> None:
    txs = [
        msgspec_replace(tx, request_headers=tuple(h for h in tx.request_headers if h[0] != "x-request-id"))
        for tx in txs
    ]
    path = tmp_path / "rt.ndjson"
    path.write_bytes(b"".join(encode_ndjson(tx) for tx in txs))
    back = read(path)
    assert back == [msgspec_replace(tx, seq=i, source=str(path)) for i, tx in enumerate(txs)]


def msgspec_replace(tx: Transaction, **changes: Any) -> Transaction:
    import msgspec

    return msgspec.structs.replace(tx, **changes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_but_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(data)
    try:
        source = NdjsonSource(path, max_line_bytes=64)
    except InputError:
        return
    for item in source:
        assert isinstance(item, Transaction | Rejection)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(json_values, max_size=4), request=json_values)
def test_arbitrary_json_never_raises(tmp_path: Path, docs: list[Any], request: Any) -> None:
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(lines(*docs, {"v": 1, "request": request}, {"v": 1, "request": {"method": "GET", "url": request}}))
    items = read(path)
    assert len(items) == len(docs) + 2


def _nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _deep_lines(depth: int, kind: str) -> list[bytes]:
    deep = _nested(depth, kind)
    url = b'"url": "https://api.example.com/x"'
    return [
        b'{"v": 1, "x": ' + deep + b', "request": {"method": "GET", ' + url + b"}}",
        b'{"v": 1, "request": {"method": "GET", ' + url + b', "headers": ' + deep + b"}}",
        b'{"v": 1, "request": {"method": "GET", ' + url + b"}, " + b'"response": {"status": 200, "x": ' + deep + b"}}",
        deep,
    ]


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_deeply_nested_line_is_one_rejection_and_reading_goes_on(tmp_path: Path, depth: int, kind: str) -> None:
    deep = _deep_lines(depth, kind)
    path = write(tmp_path / "deep.ndjson", lines(record(), *[x for d in deep for x in (d, record())]))
    items = read(path)
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert [r.index for r in rejected] == [1, 3, 5, 7]
    assert all(r.source == str(path) for r in rejected)
    assert [r.reason for r in rejected[:3]] == ["invalid JSON: nested too deeply to decode"] * 3
    # A bare array is no record at all, which the typed decode says before any nesting is met.
    assert rejected[3].reason == (
        "not a Tracehound NDJSON record: no 'v' field" if kind == "array" else rejected[0].reason
    )
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2, 4, 6, 8]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(0, 5000), kind=st.sampled_from(["array", "object"]), where=st.integers(0, 3))
def test_any_nesting_depth_is_read_or_rejected_never_raised(tmp_path: Path, depth: int, kind: str, where: int) -> None:
    path = write(tmp_path / "n.ndjson", lines(_deep_lines(depth, kind)[where], record()))
    *first, last = read(path)
    assert len(first) == (depth > 0 or where < 3 or kind == "object")  # a bare array of depth 0 is blank
    assert isinstance(last, Transaction)


def test_a_utf8_bom_before_the_first_line_is_not_part_of_the_record(tmp_path: Path) -> None:
    # HAR files skipped a BOM while NDJSON rejected its first line (found by the fuzz harness).
    raw = b"\xef\xbb\xbf" + json.dumps(record()).encode() + b"\n" + json.dumps(record()).encode() + b"\n"
    items = read(write(tmp_path / "t.ndjson", raw))
    assert [type(i) for i in items] == [Transaction, Transaction]
