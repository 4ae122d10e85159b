"""Collector batches nested too deeply: BatchError with a reason, so the ingest API answers 400, never 500."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.api.ingest import create_ingest_app
from tracehound.bus.base import open_bus
from tracehound.cluster.batch import BatchError, decode_message, encode_messages, parse_har, parse_ndjson
from tracehound.cluster.metrics import Metrics
from tracehound.config import ServerSettings
from tracehound.store import open_store

GOOD_LINE = b'{"v": 1, "request": {"method": "GET", "url": "https://api.test/users/1"}}'
GOOD_ENTRY = b'{"request": {"method": "GET", "url": "https://api.test/users/1", "headers": []}}'
TOO_DEEP = "invalid JSON: nested too deeply to decode"


def nested(depth: int, kind: str = "array") -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def har(*entries: bytes) -> bytes:
    return b'{"log": {"version": "1.2", "entries": [' + b", ".join(entries) + b"]}}"


def deep_ndjson(depth: int, kind: str) -> list[tuple[bytes, str]]:
    """(line, reason): nesting where a typed field is expected fails validation before recursing."""
    deep = nested(depth, kind)
    return [
        (b'{"v": 1, "x": ' + deep + b', "request": {"method": "GET", "url": "https://api.test/a"}}', TOO_DEEP),
        (
            b'{"v": 1, "request": {"method": "GET", "url": "https://api.test/a", "headers": {"a": ' + deep + b"}}}",
            "invalid record: Expected `str`, got `%s` - at `$.request.headers[...]`"
            % ("array" if kind == "array" else "object"),
        ),
    ]


NOT_AN_ENTRY = "invalid entry: Expected `object`, got `array`"


def deep_hars(depth: int, kind: str) -> list[tuple[bytes, int | None, str]]:
    """(body, the entry a BatchError names, its reason). Entries are decoded typed with the
    document, so nesting where an entry object is expected fails validation at that entry before
    recursing; nesting in a skipped field is met by the decoder and is too deep to decode."""
    deep = nested(depth, kind)
    return [
        (b'{"log": {"entries": [' + nested(depth) + b"]}}", 0, NOT_AN_ENTRY),  # log.entries nested: [[[[...]]]]
        (har(GOOD_ENTRY, deep), 1, NOT_AN_ENTRY) if kind == "array" else (har(GOOD_ENTRY, deep), None, TOO_DEEP),
        (
            har(GOOD_ENTRY, b'{"request": {"method": "GET", "url": "https://a.test/"}, "_x": ' + deep + b"}"),
            None,
            TOO_DEEP,
        ),
        (b'{"log": {"creator": ' + deep + b', "entries": [' + GOOD_ENTRY + b"]}}", None, TOO_DEEP),
    ]


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_ndjson_names_the_line(depth: int, kind: str) -> None:
    for line, reason in deep_ndjson(depth, kind):
        with pytest.raises(BatchError) as caught:
            parse_ndjson(b"\n".join([GOOD_LINE, line, GOOD_LINE]))
        assert caught.value.index == 1
        assert caught.value.reason == reason


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_har_is_a_batch_error(depth: int, kind: str) -> None:
    for body, index, reason in deep_hars(depth, kind):
        with pytest.raises(BatchError) as caught:
            parse_har(body)
        assert caught.value.index == index
        assert caught.value.reason == reason


def test_a_worker_reads_a_deep_line_as_an_error_of_that_line() -> None:
    # The collector never forwards one, but a worker must not die on a message it cannot decode.
    (payload,) = encode_messages("acme", [GOOD_LINE, deep_ndjson(100_000, "array")[0][0], GOOD_LINE], 1 << 30)
    tenant, items = decode_message(payload, "t")
    got = list(items)
    assert tenant == "acme" and len(got) == 3
    assert isinstance(got[1], BatchError) and got[1].index == 1 and "nested too deeply to decode" in str(got[1])


# -- through the real ingest app ---------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    store = open_store(f"sqlite:///{tmp_path}/ingest.db")
    store.create_tenant("acme")
    bus = await open_bus("memory://")
    app = create_ingest_app(bus, store, ServerSettings(), Metrics())
    key = store.create_key("acme", "ingest")[1]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://collector") as c:
        yield c, key
    await bus.close()
    store.close()


def _cases() -> list[tuple[str, bytes, int | None, str]]:
    out: list[tuple[str, bytes, int | None, str]] = []
    for depth in (1000, 100_000):
        for kind in ("array", "object"):
            ndjson = deep_ndjson(depth, kind)
            out += [("application/x-ndjson", b"\n".join([GOOD_LINE, line]), 1, why) for line, why in ndjson]
            out += [("application/json", body, index, why) for body, index, why in deep_hars(depth, kind)]
    return out


@pytest.mark.anyio
@pytest.mark.parametrize(("media", "body", "entry", "reason"), _cases())
@pytest.mark.parametrize("gzipped", [False, True])
async def test_the_collector_answers_400_with_a_reason(
    client: tuple[httpx.AsyncClient, str], media: str, body: bytes, entry: int | None, reason: str, gzipped: bool
) -> None:
    c, key = client
    headers = {"Content-Type": media, "Authorization": f"Bearer {key}"}
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    r = await c.post("/v1/traffic", content=body, headers=headers)
    assert r.status_code == 400, r.text
    assert r.json()["reason"] == reason
    assert r.json()["entry"] == entry
    ok = {"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {key}"}
    assert (await c.post("/v1/traffic", content=GOOD_LINE, headers=ok)).status_code == 202  # the collector goes on


def test_a_bus_message_whose_header_is_nested_too_deeply_is_a_batch_error() -> None:
    # Only collectors write to the bus, but a worker must not die on one message it cannot read.
    payload = b'{"v": 1, "tenant": "acme", "count": 1, "x": ' + nested(100_000) + b"}\n" + GOOD_LINE
    with pytest.raises(BatchError, match="bus message without a valid batch header: nested too deeply"):
        decode_message(payload, "t")


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(0, 5000), kind=st.sampled_from(["array", "object"]), where=st.integers(0, 5))
def test_any_nesting_depth_parses_or_is_a_batch_error(depth: int, kind: str, where: int) -> None:
    lines = [line for line, _ in deep_ndjson(depth, kind)]
    hars = [body for body, _, _ in deep_hars(depth, kind)]
    body = [*lines, *hars][where]
    try:
        parse_ndjson(body) if where < len(lines) else parse_har(body)
    except BatchError as exc:
        assert exc.reason


def test_a_har_of_millions_of_tiny_entries_is_refused_without_holding_them() -> None:
    # Decoded as raw entries first, 4 MiB of "{}," held about 20 times its size before the first
    # entry was even looked at; decoded typed, the first entry that is not one stops the decode.
    import tracemalloc

    from tracehound.cluster.batch import BatchError, parse_har

    body = b'{"log":{"entries":[' + b"{}," * ((4 << 20) // 3) + b"{}]}}"
    tracemalloc.start()
    try:
        with pytest.raises(BatchError) as err:
            parse_har(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.index == 0 and "missing required field `request`" in err.value.reason
    assert peak < len(body), f"peak {peak} bytes for a {len(body)}-byte body"


def test_a_bad_entry_is_named_by_its_index_and_the_path_inside_it() -> None:
    from tracehound.cluster.batch import BatchError, parse_har

    good = {"request": {"method": "GET", "url": "https://api.example.com/a"}}
    bad = {"request": {"method": "GET"}}
    body = json.dumps({"log": {"entries": [good, good, bad, good]}}).encode()
    with pytest.raises(BatchError) as err:
        parse_har(body)
    assert err.value.index == 2
    assert err.value.reason == "invalid entry: Object missing required field `url` - at `$.request`"


def test_a_utf8_bom_before_a_collector_batch_is_skipped() -> None:
    assert parse_ndjson(b"\xef\xbb\xbf" + GOOD_LINE + b"\n" + GOOD_LINE) == [GOOD_LINE, GOOD_LINE]
