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
from tracehound.sources import HarSource, Rejection

from .helpers import har_bytes, har_entry, join_entries, write

Item = Transaction | Rejection


def read(path: Path, **kwargs: Any) -> list[Item]:
    return list(HarSource(path, **kwargs))


def only_tx(items: list[Item]) -> list[Transaction]:
    assert all(isinstance(i, Transaction) for i in items), items
    return [i for i in items if isinstance(i, Transaction)]


# -- valid files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["t.har", "t.har.gz"])
def test_reads_valid_har(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, har_bytes([har_entry(), har_entry(method="post", post_text="{}")]))
    txs = only_tx(read(path, compressed=name.endswith(".gz"), start_seq=10))
    assert [t.seq for t in txs] == [10, 11]
    first = txs[0]
    assert first.method == "GET"
    assert (first.scheme, first.host, first.path, first.query) == (
        "https",
        "api.example.com",
        "/users/42",
        "x=1",
    )
    assert first.request_headers == (("host", "api.example.com"),)
    assert first.response_headers == (("content-type", "application/json"),)
    assert first.status == 200
    assert first.response_body == b'{"id": 42}'
    assert first.started == 1795600800.0
    assert first.duration_ms == 12.5
    assert first.source == str(path)
    assert txs[1].method == "POST" and txs[1].request_body == b"{}"


def test_start_seq_and_next_seq(tmp_path: Path) -> None:
    path = write(tmp_path / "t.har", har_bytes([har_entry()] * 3))
    source = HarSource(path, start_seq=5)
    assert [i.seq for i in only_tx(list(source))] == [5, 6, 7]
    assert source.next_seq == 8


def test_chrome_style_har_with_pages_before_and_comment_after(tmp_path: Path) -> None:
    entry = har_entry(
        pageref="page_1",
        _initiator={"type": "script", "stack": {"callFrames": [{"functionName": "f", "url": "x{"}]}},
        _priority="High",
        _resourceType="fetch",
        connection="443",
        serverIPAddress="[2001:db8::1]",
    )
    entry["request"]["headers"] = [
        {"name": ":authority", "value": "api.example.com"},
        {"name": ":method", "value": "GET"},
        {"name": "accept", "value": "*/*"},
    ]
    doc = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [{"startedDateTime": "x", "id": "page_1", "title": '}{]"[', "pageTimings": {}}],
            "entries": [entry, entry],
            "comment": "exported } by { hand",
        }
    }
    path = write(tmp_path / "chrome.har", json.dumps(doc, indent=2).encode())
    txs = only_tx(read(path))
    assert len(txs) == 2
    assert txs[0].request_headers == (("accept", "*/*"),)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1000])
def test_entries_spanning_chunk_boundaries(tmp_path: Path, chunk_size: int) -> None:
    entries = [har_entry(url=f"https://a.example/{i}", response_text="{}" * i) for i in range(12)]
    path = write(tmp_path / "t.har", har_bytes(entries, indent=1))
    expected = only_tx(read(path))
    assert len(expected) == 12
    assert read(path, chunk_size=chunk_size) == expected


@pytest.mark.parametrize("depth", [9, 30, 300])
def test_entry_nested_deeper_than_the_regex(tmp_path: Path, depth: int) -> None:
    nested: dict[str, Any] = {"leaf": "}"}
    for _ in range(depth):
        nested = {"parent": nested, "s": "{"}
    entries = [har_entry(), har_entry(_initiator=nested), har_entry()]
    path = write(tmp_path / "deep.har", har_bytes(entries))
    for chunk_size in (1 << 20, 5):
        txs = only_tx(read(path, chunk_size=chunk_size))
        assert [t.seq for t in txs] == [0, 1, 2]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("chunk_size", [1 << 20, 300])
def test_objects_inside_an_entry_that_start_like_an_entry(
    tmp_path: Path, indent: int | None, chunk_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Entries are framed first by where the next one starts; an object inside an entry that
    # starts the same way (or a string spelling one) must not cut the entry short.
    inner = {"startedDateTime": "2026-11-25T10:00:00.000Z", "request": {"method": "GET", "url": "/x"}}
    entries = [
        har_entry(url=f"https://a.example/{i}", _initiator=inner if i % 2 else [inner, inner], _note=json.dumps(inner))
        for i in range(7)
    ]
    path = write(tmp_path / "t.har", har_bytes(entries, indent=indent))
    txs = only_tx(read(path, chunk_size=chunk_size))
    assert [t.path for t in txs] == [f"/{i}" for i in range(7)]
    monkeypatch.setattr("tracehound.sources.har.MAX_GUESS_MISSES", 0)  # the careful framing only
    assert read(path, chunk_size=chunk_size) == txs


# -- bad entries and files ---------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1 << 20, 16])
def test_truncated_file_rejects_the_cut_entry_and_ends(tmp_path: Path, chunk_size: int) -> None:
    data = har_bytes([har_entry(url=f"https://a.example/{i}") for i in range(4)])
    cut = data.index(b"https://a.example/2")
    path = write(tmp_path / "cut.har", data[:cut])
    items = read(path, chunk_size=chunk_size)
    assert [type(i) for i in items] == [Transaction, Transaction, Rejection]
    assert isinstance(items[2], Rejection)
    assert items[2].index == 2
    assert "truncated" in items[2].reason


def test_truncated_gzip_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    entries = [har_entry(url=f"https://a.example/{i}", response_text="x" * 5000) for i in range(50)]
    path = write(tmp_path / "t.har.gz", har_bytes(entries))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    items = read(path, chunk_size=4096)
    assert isinstance(items[-1], Rejection)
    assert "truncated" in items[-1].reason


def test_invalid_json_entry_in_the_middle_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    good = json.dumps(har_entry()).encode()
    bad = b'{"request": {"method": GET, "url": "https://x.example/"}}'
    path = write(tmp_path / "t.har", join_entries([good, bad, good]))
    items = read(path)
    assert isinstance(items[1], Rejection)
    assert items[1].index == 1 and items[1].reason.startswith("invalid JSON")
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2]


def test_non_object_entries_are_rejected(tmp_path: Path) -> None:
    good = json.dumps(har_entry()).encode()
    path = write(tmp_path / "t.har", join_entries([b"null", good, b'"text"', b"[1, {}]", good]))
    items = read(path)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Rejection", "Transaction", "Rejection", "Rejection", "Transaction"]
    assert all("not a JSON object" in i.reason for i in items if isinstance(i, Rejection))


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (lambda e: e["request"].update(url=5), "$.request.url"),
        (lambda e: e["request"].update(method=None), "$.request.method"),
        (lambda e: e["request"].pop("url"), "url"),
        (lambda e: e.pop("request"), "request"),
        (lambda e: e["request"].update(headers="Host: x"), "$.request.headers"),
        (lambda e: e["request"]["headers"].append({"name": 1, "value": "x"}), "$.request.headers"),
        (lambda e: e["response"].update(status=[200]), "$.response.status"),
        (lambda e: e["response"].update(status="OK"), "response.status"),
        (lambda e: e["request"].update(url="not a url"), "invalid request.url"),
        (lambda e: e["request"].update(url="https://exa mple.com/"), "invalid request.url"),
        (lambda e: e["request"].update(url="https://example.com:99999/"), "invalid port"),
        (lambda e: e["request"].update(method=" "), "method is empty"),
    ],
)
def test_wrong_types_and_values_are_rejected_with_a_reason(tmp_path: Path, patch: Any, expected: str) -> None:
    entry = har_entry()
    patch(entry)
    path = write(tmp_path / "t.har", har_bytes([entry, har_entry()]))
    items = read(path)
    assert isinstance(items[0], Rejection), items[0]
    assert expected in items[0].reason
    assert isinstance(items[1], Transaction)


def test_tolerates_nulls_and_missing_optional_fields(tmp_path: Path) -> None:
    entries = [
        {"request": {"method": "GET", "url": "http://a.example/"}},
        {
            "request": {"method": "GET", "url": "http://a.example/", "headers": None, "postData": None},
            "response": {"status": "404", "headers": [{"name": "X", "value": None}], "content": None},
            "startedDateTime": None,
            "time": None,
            "timings": None,
        },
    ]
    txs = only_tx(read(write(tmp_path / "t.har", har_bytes(entries))))
    assert txs[0].status == 0 and txs[0].started is None and txs[0].duration_ms is None
    assert txs[1].status == 404 and txs[1].response_headers == (("x", ""),)


def test_invalid_utf8_in_a_text_field_is_repaired(tmp_path: Path) -> None:
    raw = json.dumps(har_entry(response_text="caf@")).encode().replace(b"caf@", b"caf\xff")
    items = read(write(tmp_path / "t.har", join_entries([raw])))
    tx = only_tx(items)[0]
    assert tx.response_body == "caf\ufffd".encode()


def test_base64_bodies(tmp_path: Path) -> None:
    blob = bytes(range(256))
    entry = har_entry()
    entry["request"]["postData"] = {
        "mimeType": "application/octet-stream",
        "text": base64.b64encode(blob).decode(),
        "encoding": "base64",
    }
    entry["response"]["content"] = {
        "mimeType": "image/png",
        "text": base64.encodebytes(blob).decode(),
        "encoding": "base64",
    }
    bad = har_entry()
    bad["response"]["content"]["text"] = "not base64!"
    bad["response"]["content"]["encoding"] = "base64"
    items = read(write(tmp_path / "t.har", har_bytes([entry, bad])))
    assert isinstance(items[0], Transaction)
    assert items[0].request_body == blob and items[0].response_body == blob
    assert isinstance(items[1], Rejection) and "base64" in items[1].reason


def test_form_params_without_text_are_rebuilt_urlencoded(tmp_path: Path) -> None:
    entry = har_entry(method="POST")
    entry["request"]["postData"] = {
        "mimeType": "application/x-www-form-urlencoded",
        "params": [{"name": "user", "value": "a b"}, {"name": "pw", "value": "x&y"}],
    }
    tx = only_tx(read(write(tmp_path / "t.har", har_bytes([entry]))))[0]
    assert tx.request_body == b"user=a+b&pw=x%26y"


def test_huge_header_values(tmp_path: Path) -> None:
    value = "v" * (3 * 1024 * 1024)
    entry = har_entry(request_headers=[("X-Big", value), ("Host", "a")])
    path = write(tmp_path / "t.har", har_bytes([entry, har_entry()]))
    txs = only_tx(read(path, chunk_size=65536))
    assert txs[0].request_headers[0] == ("x-big", value)
    assert len(txs) == 2


@pytest.mark.parametrize("chunk_size", [1 << 20, 512])
def test_entry_over_the_cap_is_rejected_and_skipped(tmp_path: Path, chunk_size: int) -> None:
    entries = [har_entry(), har_entry(response_text="x" * 20000), har_entry()]
    path = write(tmp_path / "t.har", har_bytes(entries))
    items = read(path, chunk_size=chunk_size, max_entry_bytes=5000)
    assert isinstance(items[1], Rejection)
    assert items[1].reason == "entry larger than 5000 bytes"
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello", "does not start with a JSON object"),
        (b"[]", "does not start with a JSON object"),
        (b'{"foo": 1}', "no 'log'"),
        (b'{"log": []}', "'log' is not an object"),
        (b'{"log": {"version": "1.2"}}', "no 'entries'"),
        (b'{"log": {"entries": {}}}', "not an array"),
        (b'{"log": {"version": "1.2", "pages": [', "before 'log.entries'"),
        (b'{"log" 1}', "expected an object key"),
        (b"\x00\x01\x02", "does not start"),
    ],
)
def test_not_a_har_file_raises_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path / "x.har", content)
    with pytest.raises(InputError, match=message) as info:
        HarSource(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_not_gzip_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.har.gz"
    path.write_bytes(b'{"log": {"entries": []}}')
    with pytest.raises(InputError, match="gzip"):
        HarSource(path, compressed=True)


def test_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        HarSource(tmp_path / "nope.har")


# -- conversion --------------------------------------------------------------------------------


def test_request_id_and_forwarded_client(tmp_path: Path) -> None:
    headers = [("X-Request-Id", "req-1"), ("X-Forwarded-For", " 203.0.113.9 , 10.0.0.1")]
    entries = [
        har_entry(request_headers=headers),
        har_entry(request_headers=headers, _clientIPAddress="198.51.100.7"),
        har_entry(request_headers=[]),
    ]
    txs = only_tx(read(write(tmp_path / "t.har", har_bytes(entries))))
    assert txs[0].request_id == "req-1" and txs[0].client == "203.0.113.9"
    assert txs[1].client == "198.51.100.7"
    assert txs[2].request_id is None and txs[2].client is None


@pytest.mark.parametrize(
    ("url", "scheme", "host", "path", "query"),
    [
        ("HTTPS://API.Example.COM:443/A/b?X=1#frag", "https", "api.example.com", "/A/b", "X=1"),
        ("http://example.com:80", "http", "example.com", "/", ""),
        ("http://example.com:8080/p?", "http", "example.com:8080", "/p", ""),
        ("https://user:pw@example.com/p", "https", "example.com", "/p", ""),
        ("http://[2001:DB8::1]:8080/p?q=%20", "http", "[2001:db8::1]:8080", "/p", "q=%20"),
        ("https://e.com/a%2Fb?a=1&a=2", "https", "e.com", "/a%2Fb", "a=1&a=2"),
    ],
)
def test_url_is_split_into_scheme_host_path_query(
    tmp_path: Path, url: str, scheme: str, host: str, path: str, query: str
) -> None:
    tx = only_tx(read(write(tmp_path / "t.har", har_bytes([har_entry(url=url)]))))[0]
    assert (tx.scheme, tx.host, tx.path, tx.query) == (scheme, host, path, query)


def test_url_query_wins_over_query_string(tmp_path: Path) -> None:
    entry = har_entry(url="https://e.com/s?q=a%20b")
    entry["request"]["queryString"] = [{"name": "q", "value": "a b"}]
    only_query = har_entry(url="https://e.com/s")
    only_query["request"]["queryString"] = [{"name": "q", "value": "a b"}]
    txs = only_tx(read(write(tmp_path / "t.har", har_bytes([entry, only_query]))))
    assert txs[0].query == "q=a%20b"
    assert txs[1].query == "q=a+b"


@pytest.mark.parametrize(
    ("started", "time", "expected_started", "expected_ms"),
    [
        ("2026-11-25T10:00:00Z", 1, 1795600800.0, 1.0),
        ("2026-11-25T11:00:00.500+01:00", -1, 1795600800.5, None),
        ("2026-11-25T10:00:00", 0, 1795600800.0, 0.0),
        ("yesterday", "3.5", None, 3.5),
    ],
)
def test_started_and_duration(
    tmp_path: Path, started: str, time: Any, expected_started: float | None, expected_ms: float | None
) -> None:
    entry = har_entry(startedDateTime=started, time=time)
    tx = only_tx(read(write(tmp_path / "t.har", har_bytes([entry]))))[0]
    assert tx.started == expected_started and tx.duration_ms == expected_ms


# -- the real corpus ---------------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "crs-v3.3.4.har.gz"


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason=f"corpus not present at {CORPUS}")
def test_reads_the_crs_corpus_without_rejections() -> None:
    items = list(HarSource(CORPUS, compressed=True))
    txs = only_tx(items)
    assert len(txs) == 2403
    assert [t.seq for t in txs] == list(range(2403))
    assert all(t.request_id for t in txs)


# -- properties --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _drain(path: Path, **kwargs: Any) -> None:
    try:
        source = HarSource(path, **kwargs)
    except InputError:
        return
    for item in source:
        assert isinstance(item, Transaction | Rejection)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), chunk=st.integers(1, 64))
def test_arbitrary_bytes_never_raise_but_input_error(tmp_path: Path, data: bytes, chunk: int) -> None:
    path = tmp_path / "fuzz.har"
    for content in (data, b'{"log": {"entries": [' + data):
        path.write_bytes(content)
        _drain(path, chunk_size=chunk)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=json_values, entries=st.lists(json_values, max_size=4))
def test_arbitrary_json_never_raises_but_input_error(tmp_path: Path, doc: Any, entries: list[Any]) -> None:
    path = tmp_path / "fuzz.har"
    for content in (
        doc,
        {"log": {"entries": entries}},
        {"log": {"entries": [{"request": e} for e in entries]}},
    ):
        path.write_bytes(json.dumps(content).encode())
        _drain(path, chunk_size=7)


header_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
valid_entries = st.builds(
    lambda method, host, path, headers, body, status: har_entry(
        url=f"https://{host}.example/{path}",
        method=method,
        request_headers=headers,
        post_text=body,
        status=status,
        response_text=body,
    ),
    method=st.sampled_from(["get", "POST", "Put", "delete"]),
    host=st.text("abcxyz0123", min_size=1, max_size=10),
    path=st.text("abc/{}%20\"'", max_size=20),
    headers=st.lists(st.tuples(st.text("abcXYZ-", min_size=1, max_size=10), header_text), max_size=4),
    body=st.none() | st.text(max_size=60),
    status=st.integers(100, 599),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(valid_entries, min_size=1, max_size=6),
    chunk=st.integers(1, 200),
    indent=st.sampled_from([None, 0, 2]),
)
def test_rechunking_yields_the_same_transactions(
    tmp_path: Path, entries: list[dict[str, Any]], chunk: int, indent: int | None
) -> None:
    path = write(tmp_path / "prop.har", har_bytes(entries, indent=indent))
    expected = only_tx(read(path))
    assert len(expected) == len(entries)
    assert read(path, chunk_size=chunk) == expected


def test_entry_too_deep_for_the_decoder_is_rejected_not_raised(tmp_path: Path) -> None:
    deep = b'{"request": {"method": "GET", "url": "http://a/"}, "_x": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    good = json.dumps(har_entry()).encode()
    items = read(write(tmp_path / "t.har", join_entries([good, deep, good])))
    assert isinstance(items[1], Rejection) and "nested too deeply" in items[1].reason
    assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 2]


def _nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_entries_are_rejections_and_reading_goes_on(tmp_path: Path, depth: int, kind: str) -> None:
    deep = _nested(depth, kind)
    good = json.dumps(har_entry()).encode()
    request = b'{"method": "GET", "url": "http://a/", "headers": '
    entries = [
        good,
        deep,  # the entry itself
        b'{"request": ' + request + deep + b"}}",  # where a typed field is expected
        b'{"request": {"method": "GET", "url": "http://a/"}, "_initiator": ' + deep + b"}",  # a skipped field
        good,
    ]
    for chunk_size in (1 << 20, 4096):
        items = read(write(tmp_path / "t.har", join_entries(entries)), chunk_size=chunk_size)
        assert len(items) == 5
        assert [i.seq for i in items if isinstance(i, Transaction)] == [0, 4]
        assert all(isinstance(i, Rejection) and i.reason for i in items[1:4])


def test_a_deeply_nested_entries_array_is_one_rejection(tmp_path: Path) -> None:
    # {"log": {"entries": [[[[...]]]]}}: the one entry is not an object; the file ends cleanly.
    path = write(tmp_path / "t.har", b'{"log": {"entries": [' + _nested(100_000, "array") + b"]}}")
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Rejection)
    assert items[0].reason == "entry is not a JSON object"


def test_deep_nesting_before_the_entries_is_skipped(tmp_path: Path) -> None:
    good = json.dumps(har_entry()).encode()
    prologue = b'{"log": {"creator": ' + _nested(100_000, "object") + b', "entries": [' + good + b"]}}"
    assert len(only_tx(read(write(tmp_path / "t.har", prologue)))) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(0, 5000), kind=st.sampled_from(["array", "object"]), where=st.integers(0, 2))
def test_any_nesting_depth_is_read_or_rejected_never_raised(tmp_path: Path, depth: int, kind: str, where: int) -> None:
    deep = _nested(depth, kind)
    entry = [
        deep,
        b'{"request": {"method": "GET", "url": "http://a/", "headers": ' + deep + b"}}",
        b'{"request": {"method": "GET", "url": "http://a/"}, "_x": ' + deep + b"}",
    ][where]
    *first, last = read(write(tmp_path / "n.har", join_entries([entry, json.dumps(har_entry()).encode()])))
    assert len(first) == (depth > 0 or where > 0 or kind == "object")  # "[, {...}]" skips the empty one
    assert isinstance(last, Transaction)
