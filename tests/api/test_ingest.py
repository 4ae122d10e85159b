"""The collector's ingest API over the in-process bus and a SQLite store (real ones, no mocks)."""

from __future__ import annotations

import asyncio
import gzip
import json
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2e._traffic import ndjson_batches
from tracehound.api.ingest import create_ingest_app, parse_ndjson_in_pieces
from tracehound.bus.base import Bus, open_bus
from tracehound.cluster.batch import BatchError, decode_message, parse_ndjson
from tracehound.cluster.metrics import Metrics
from tracehound.config import ServerSettings
from tracehound.store import open_store
from tracehound.store.base import Store

NDJSON = "application/x-ndjson"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/ingest.db")
    s.create_tenant("acme")
    s.create_tenant("globex")
    yield s
    s.close()


class Harness:
    def __init__(self, bus: Bus, store: Store, client: httpx.AsyncClient, metrics: Metrics, app_state: Any) -> None:
        self.bus, self.store, self.client, self.metrics = bus, store, client, metrics
        self.app_state = app_state

    def key(self, tenant: str = "acme", role: str = "ingest") -> str:
        return self.store.create_key(tenant, role)[1]

    async def post(self, body: bytes, key: str | None, content_type: str = NDJSON, **headers: str) -> httpx.Response:
        h = {"Content-Type": content_type, **headers}
        if key is not None:
            h["Authorization"] = f"Bearer {key}"
        return await self.client.post("/v1/traffic", content=body, headers=h)

    async def published(self) -> list[tuple[str, int]]:
        """(tenant, transactions) of every message on the bus, consumed."""
        out = []
        for msg in await self.bus.consumer("workers").fetch(1000, 0.01):
            tenant, items = decode_message(msg.payload, "t")
            out.append((tenant, sum(1 for _ in items)))
            await msg.ack()
        return out


async def _harness(store: Store, bus_url: str = "memory://", **settings: Any) -> AsyncIterator[Harness]:
    bus = await open_bus(bus_url)
    metrics = Metrics()
    app = create_ingest_app(bus, store, ServerSettings(**settings), metrics)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://collector") as client:
        yield Harness(bus, store, client, metrics, app.state)
    await bus.close()


@pytest.fixture
async def h(store: Store) -> AsyncIterator[Harness]:
    async for harness in _harness(store, max_batch_bytes=64 * 1024, max_decompressed_bytes=256 * 1024):
        yield harness


def har(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()


def har_entry(path: str = "/users/1") -> dict[str, Any]:
    return {
        "startedDateTime": "2026-11-25T10:00:00Z",
        "request": {"method": "GET", "url": f"https://api.test{path}", "headers": []},
        "response": {"status": 200, "headers": [], "content": {"text": "{}"}},
    }


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_accepts_ndjson_after_the_bus_ack(h: Harness) -> None:
    body = ndjson_batches(20, 20)[0]
    r = await h.post(body, h.key())
    assert r.status_code == 202
    assert r.json() == {"accepted": 20, "duplicate": False}
    assert await h.published() == [("acme", 20)]


async def test_accepts_har_and_gzip(h: Harness) -> None:
    key = h.key()
    r = await h.post(har([har_entry("/a"), har_entry("/b")]), key, "application/json")
    assert r.json() == {"accepted": 2, "duplicate": False}
    r = await h.post(gzip.compress(har([har_entry("/c")])), key, "application/json", **{"Content-Encoding": "gzip"})
    assert r.status_code == 202, r.text
    assert await h.published() == [("acme", 2), ("acme", 1)]


async def test_a_retried_batch_is_deduplicated(h: Harness) -> None:
    key = h.key()
    body = ndjson_batches(5, 5)[0]
    assert (await h.post(body, key)).json()["duplicate"] is False
    assert (await h.post(gzip.compress(body), key, **{"Content-Encoding": "gzip"})).json() == {
        "accepted": 5,
        "duplicate": True,
    }
    assert await h.published() == [("acme", 5)]


async def test_the_key_names_the_tenant_whatever_the_request_says(h: Harness) -> None:
    r = await h.post(ndjson_batches(3, 3)[0], h.key("globex"), **{"X-Tenant": "acme"})
    assert r.status_code == 202
    assert await h.published() == [("globex", 3)]


async def test_the_same_body_from_two_tenants_is_two_batches(h: Harness) -> None:
    body = ndjson_batches(3, 3)[0]
    assert (await h.post(body, h.key("acme"))).json()["duplicate"] is False
    assert (await h.post(body, h.key("globex"))).json()["duplicate"] is False
    assert sorted(await h.published()) == [("acme", 3), ("globex", 3)]


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Basic dXNlcjpwYXNz", 401),
        ("Bearer ", 401),
        ("Bearer th_nosuchkey_secret", 401),
        ("Bearer not-a-key", 401),
    ],
)
async def test_refuses_missing_or_unknown_keys(h: Harness, authorization: str | None, status: int) -> None:
    headers = {"Content-Type": NDJSON}
    if authorization is not None:
        headers["Authorization"] = authorization
    r = await h.client.post("/v1/traffic", content=ndjson_batches(2, 2)[0], headers=headers)
    assert r.status_code == status
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["error"] == "unauthenticated"  # the read API's code too
    assert await h.published() == []


async def test_refuses_a_revoked_key(h: Harness) -> None:
    key_id, key = h.store.create_key("acme", "ingest")
    h.store.revoke_key(key_id)
    assert (await h.post(ndjson_batches(2, 2)[0], key)).status_code == 401
    assert await h.published() == []


@pytest.mark.parametrize(("role", "status"), [("read", 403), ("admin", 202), ("ingest", 202)])
async def test_only_ingest_and_admin_keys_ingest(h: Harness, role: str, status: int) -> None:
    r = await h.post(ndjson_batches(2, 2)[0], h.key(role=role))
    assert r.status_code == status
    assert len(await h.published()) == (1 if status == 202 else 0)


async def test_invalid_ndjson_names_the_line_and_stores_nothing(h: Harness) -> None:
    lines = ndjson_batches(4, 4)[0].split(b"\n")
    lines[2] = b'{"v": 1, "request": {"method": "GET"}}'
    r = await h.post(b"\n".join(lines), h.key())
    assert r.status_code == 400
    assert r.json()["entry"] == 2
    assert "url" in r.json()["reason"]
    assert await h.published() == []


@pytest.mark.parametrize(
    ("body", "entry"),
    [
        (har([har_entry(), {"request": {"method": "GET"}}]), 1),
        (har([har_entry(), har_entry(), {"request": {"method": "GET", "url": "not a url"}}]), 2),
        (b'{"log": {"entries": 3}}', None),
        (b"{not json", None),
    ],
)
async def test_invalid_har_names_the_entry(h: Harness, body: bytes, entry: int | None) -> None:
    r = await h.post(body, h.key(), "application/json")
    assert r.status_code == 400
    assert r.json()["entry"] == entry
    assert await h.published() == []


async def test_oversized_batches_get_413(h: Harness) -> None:
    key = h.key()
    big = b"\n".join([ndjson_batches(1, 1)[0].strip()] * 400)
    assert len(big) > 64 * 1024
    assert (await h.post(big, key)).status_code == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the streamed size counts
        for i in range(0, len(big), 4096):
            yield big[i : i + 4096]

    r = await h.client.post(
        "/v1/traffic", content=chunked(), headers={"Content-Type": NDJSON, "Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 413
    bomb = gzip.compress(b"\n" * (1024 * 1024))
    assert (await h.post(bomb, key, **{"Content-Encoding": "gzip"})).status_code == 413
    assert await h.published() == []
    text = h.metrics.render().decode()
    assert 'tracehound_rejected_total{reason="too_large"} 3.0' in text


async def test_unsupported_media_type_or_encoding(h: Harness) -> None:
    key = h.key()
    assert (await h.post(b"x", key, "image/png")).status_code == 415
    assert (await h.post(b"x", key, NDJSON, **{"Content-Encoding": "br"})).status_code == 415
    # Answers never echo what the client sent (a header can carry anything).
    echoed = await h.post(b"x", key, "text/hunter2secret", **{"Content-Encoding": "brhunter2secret"})
    assert echoed.status_code == 415 and "hunter2" not in echoed.text
    status = json.dumps(
        {"v": 1, "request": {"method": "GET", "url": "https://a.test/x"}, "response": {"status": 4111111111111111}}
    )
    bad = await h.post(status.encode() + b"\n", key, NDJSON)
    assert bad.status_code == 400 and "out of range" in bad.text and "4111111111111111" not in bad.text
    assert (await h.post(b"\x1f\x8bnope", key, NDJSON, **{"Content-Encoding": "gzip"})).status_code == 400


async def test_a_body_without_a_meaningful_type_is_recognised(h: Harness) -> None:
    # `curl --data-binary @traffic.har` sends application/x-www-form-urlencoded.
    key = h.key()
    r = await h.post(har([har_entry("/a"), har_entry("/b")]), key, "application/x-www-form-urlencoded")
    assert r.status_code == 202 and r.json()["accepted"] == 2
    r = await h.post(ndjson_batches(3, 3, seed=99)[0], key, "application/octet-stream")
    assert r.status_code == 202 and r.json()["accepted"] == 3
    assert (await h.post(b"x", key, "text/plain")).status_code == 400


async def test_a_full_bus_answers_429_with_retry_after(store: Store) -> None:
    async for h in _harness(store, "memory://?max_msgs=1"):
        key = h.key()
        batches = ndjson_batches(4, 2)
        assert (await h.post(batches[0], key)).status_code == 202
        r = await h.post(batches[1], key)
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        await h.published()
        assert (await h.post(batches[1], key)).status_code == 202


async def test_big_batches_are_split_into_messages_and_retried_per_message(store: Store) -> None:
    async for h in _harness(store, "memory://?max_msgs=3", max_message_bytes=4096):
        key = h.key()
        body = ndjson_batches(60, 60)[0]
        r = await h.post(body, key)
        assert r.status_code == 429  # three messages fit, the rest is refused
        first = await h.published()
        r = await h.post(body, key)  # the retry: stored parts are duplicates, the rest goes in
        assert r.status_code in (202, 429)
        while r.status_code == 429:
            first += await h.published()
            r = await h.post(body, key)
        rest = await h.published()
        assert sum(n for _, n in first + rest) == 60


async def test_ops_endpoints(h: Harness) -> None:
    assert (await h.client.get("/healthz")).json() == {"status": "ok"}
    assert (await h.client.get("/readyz")).status_code == 200
    await h.post(ndjson_batches(7, 7)[0], h.key())
    text = (await h.client.get("/metrics")).text
    assert "tracehound_transactions_received_total 7.0" in text
    assert "tracehound_bus_lag" in text


async def test_large_bodies_are_parsed_off_the_event_loop(store: Store) -> None:
    async for h in _harness(store):
        body = b"".join(ndjson_batches(2000, 2000))
        assert len(body) > 256 * 1024
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        r = await h.post(body, h.key())
        task.cancel()
        assert r.json()["accepted"] == 2000
        assert ticks > 1


def test_batch_header_is_the_tenant_of_the_key() -> None:
    from tracehound.cluster.batch import BatchHeader, encode_messages

    payload = encode_messages("acme", [b"{}"], 1024)[0]
    assert msgspec.json.decode(payload.split(b"\n")[0], type=BatchHeader).tenant == "acme"


def big_ndjson(lines: int = 1500) -> bytes:
    """A valid batch decoding past the free allowance (256 KiB), so it needs a decode slot."""
    body = b"".join(ndjson_batches(lines, lines, seed=5))
    assert len(body) > 256 * 1024
    return body


async def test_when_every_decode_slot_is_taken_a_big_gzip_batch_is_503_and_small_ones_pass(store: Store) -> None:
    async for h in _harness(store, max_concurrent_decompressions=2):
        key = h.key()
        slots = h.app_state.decode_slots
        assert slots.try_take() and slots.try_take()  # as two bombs decoding would
        r = await h.post(gzip.compress(big_ndjson()), key, **{"Content-Encoding": "gzip"})
        assert r.status_code == 503
        assert r.json()["error"] == "busy" and r.headers["Retry-After"] == "1"
        small = ndjson_batches(5, 5, seed=8)[0]
        assert (await h.post(gzip.compress(small), key, **{"Content-Encoding": "gzip"})).status_code == 202
        assert (await h.post(big_ndjson(1400), key)).status_code == 202  # not compressed: no slot needed
        slots.give_back()
        r = await h.post(gzip.compress(big_ndjson()), key, **{"Content-Encoding": "gzip"})
        assert r.status_code == 202 and r.json()["accepted"] == 1500
        slots.give_back()
        # every request gave its slot back, whatever its answer
        bomb = gzip.compress(b"\0" * (40 * 1024 * 1024))
        assert (await h.post(bomb, key, **{"Content-Encoding": "gzip"})).status_code == 413
        assert (await h.post(gzip.compress(b"{" * 300_000), key, **{"Content-Encoding": "gzip"})).status_code == 400
        assert slots.try_take() and slots.try_take() and not slots.try_take()
        assert sorted(n for _, n in await h.published()) == [5, 1400, 1500]
        text = h.metrics.render().decode()
        assert 'tracehound_rejected_total{reason="busy"} 1.0' in text


async def test_the_decoded_budget_is_per_request_and_says_so(store: Store) -> None:
    async for h in _harness(store, max_decompressed_bytes=1024 * 1024):
        key = h.key()
        bomb = gzip.compress(b"\0" * (63 * 1024 * 1024), 9)
        r = await h.post(bomb, key, **{"Content-Encoding": "gzip"})
        assert r.status_code == 413
        assert r.json() == {"error": "too_large", "reason": "gzip body decodes to more than 1048576 bytes"}
        under = big_ndjson(1500)
        assert len(under) < 1024 * 1024
        assert (await h.post(gzip.compress(under), key, **{"Content-Encoding": "x-gzip"})).status_code == 202


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "compress", "gzip, br", "identity;q=0"])
async def test_only_gzip_is_decoded_other_encodings_are_415(h: Harness, encoding: str) -> None:
    r = await h.post(ndjson_batches(2, 2)[0], h.key(), **{"Content-Encoding": encoding})
    assert r.status_code == 415
    assert await h.published() == []


@pytest.mark.parametrize("length", ["9" * 30, "18446744073709551616", "9" * 5000])
async def test_a_huge_declared_length_is_413_not_500(h: Harness, length: str) -> None:
    r = await h.post(b"x", h.key(), **{"Content-Length": length})
    assert r.status_code == 413


@pytest.mark.parametrize("length", ["\u00b2", "1e9", "-5", " "])
async def test_a_declared_length_that_is_no_number_is_ignored_the_stream_counts(h: Harness, length: str) -> None:
    headers = [
        (b"content-type", NDJSON.encode()),
        (b"authorization", f"Bearer {h.key()}".encode()),
        (b"content-length", length.encode("latin-1")),  # as a server decodes header bytes
    ]
    r = await h.client.post("/v1/traffic", content=ndjson_batches(2, 2)[0], headers=headers)
    assert r.status_code == 202


@pytest.mark.parametrize(("seconds", "header"), [(0.2, "1"), (2.5, "3"), (1e9, "60"), (float("inf"), "60")])
def test_retry_after_is_whole_seconds_from_one_to_sixty(seconds: float, header: str) -> None:
    from tracehound.api.ingest import _retry_after

    assert _retry_after(seconds) == header
    assert _retry_after(float("nan")) == "60"


@pytest.mark.parametrize("setting", ["max_concurrent_decompressions", "max_decompressed_bytes"])
async def test_a_limit_below_one_is_a_config_error(store: Store, setting: str) -> None:
    from tracehound.errors import ConfigError

    bus = await open_bus("memory://")
    try:
        with pytest.raises(ConfigError, match=setting):
            create_ingest_app(bus, store, ServerSettings(**{setting: 0}), Metrics())
    finally:
        await bus.close()


_LINES = [line for line in ndjson_batches(6, 6, seed=21)[0].split(b"\n") if line]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from([*_LINES, b"", b"  ", b"{not json", b'{"v": 2}', b"\xff\xfe"]), min_size=0, max_size=30
    ),
    piece_bytes=st.integers(1, 700),
    trailing_newline=st.booleans(),
)
def test_ndjson_parsed_in_pieces_gives_the_lines_and_errors_of_one_parse(
    parts: list[bytes], piece_bytes: int, trailing_newline: bool
) -> None:
    body = b"\n".join(parts) + (b"\n" if trailing_newline else b"")

    def outcome(parse: Any) -> Any:
        try:
            return parse(body)
        except BatchError as exc:
            return ("error", exc.reason, exc.index)

    assert outcome(lambda b: parse_ndjson_in_pieces(b, piece_bytes)) == outcome(parse_ndjson)


def test_a_batch_of_blank_lines_is_parsed_without_a_list_of_every_line() -> None:
    body = b"\n" * (16 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert parse_ndjson_in_pieces(body) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # one piece's lines; the whole split was 8 bytes a line, 128 MiB here
