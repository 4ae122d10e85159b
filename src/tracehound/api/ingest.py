"""The collector: ``POST /v1/traffic`` authenticates, validates and persists a batch on the bus.

The collector is the only door into the write path, so it holds the line on every input rule of
ARCHITECTURE.md before anything costs a worker or the store: the API key (role ``ingest`` or
``admin``) names the tenant, the body is capped as sent and as decoded, every entry is parsed, and
the answer is 202 only once the bus has acknowledged the batch (for JetStream: stored on a quorum
of replicas). A full bus gives 429 with ``Retry-After``, an unreachable one 503, so senders retry;
a retried identical batch carries the same message ids and is stored once.

Status codes: 202 ``{"accepted": N, "duplicate": bool}``; 400 ``{"error", "reason", "entry"}``
for an invalid body (``entry`` is the 0-based HAR entry or NDJSON line, null for the whole body);
401 ``unauthenticated`` (missing, malformed, unknown or revoked key); 403 ``forbidden`` (a key of
another role); 413 over ``max_batch_bytes`` (sent) or ``max_decompressed_bytes`` (after gzip);
415 another media type or content encoding (gzip is the only one: brotli, deflate and zstd would
each need the same budget, and no sensor sends them); 429/503 with ``Retry-After``, including 503
``busy`` when ``max_concurrent_decompressions`` batches are already decoding (see
:mod:`tracehound.api._gunzip`). A body sent without a meaningful type (curl's default form type,
octet-stream, text) is recognised by its first bytes. An unexpected exception is a plain 500 and
one log event, never a traceback (:class:`tracehound.cluster.http.ContainErrors`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tracehound.api._gunzip import FREE_DECODE_BYTES, DecodeSlots, GzipDecoder
from tracehound.bus.base import Bus, BusFull
from tracehound.cluster.batch import (
    BatchError,
    TooLarge,
    batch_id,
    encode_messages,
    parse_har,
    parse_ndjson,
    subject_for,
    traffic_prefix,
    transactions_to_lines,
)
from tracehound.cluster.http import ContainErrors, add_ops_routes
from tracehound.cluster.logging import event
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.store_thread import StoreThread
from tracehound.config import ServerSettings
from tracehound.errors import BusError, ConfigError, StoreError
from tracehound.model.redaction import tags_for_tenant
from tracehound.store.base import KeyInfo, Store, role_allows

__all__ = ["HAR_TYPES", "NDJSON_TYPES", "KeyCache", "create_ingest_app"]

log = logging.getLogger(__name__)

HAR_TYPES = frozenset({"application/json", "application/har+json"})
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"})
SNIFFED_TYPES = frozenset({"", "application/x-www-form-urlencoded", "application/octet-stream", "text/plain"})
"""Types that say nothing about the body (``curl --data-binary @traffic.har`` sends the form type):
the body itself says whether it is a HAR document or NDJSON."""
_HAR_START = re.compile(rb'\A\s*\{\s*"log"\s*:')
INLINE_PARSE_BYTES = FREE_DECODE_BYTES
"""Bodies up to this size are parsed on the event loop; bigger ones in a thread, so the loop keeps serving."""
MAX_CACHED_KEYS = 10_000
NDJSON_PIECE_BYTES = 64 * 1024
MAX_RETRY_AFTER_S = 60
_MAX_LENGTH_DIGITS = 19


class KeyCache:
    """Remembers accepted keys for ``ttl`` seconds so the hot path does not query the store per batch.

    Only successes are cached (an unknown key is asked every time, so a new key works at once),
    under a hash of the key; a revocation takes effect within ``ttl``.
    """

    def __init__(self, store: Store, thread: StoreThread, ttl: float) -> None:
        self._store = store
        self._thread = thread
        self._ttl = ttl
        self._cache: dict[bytes, tuple[KeyInfo, float]] = {}

    async def authenticate(self, presented: str) -> KeyInfo | None:
        now = time.monotonic()
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        info = await self._thread.call(self._store.authenticate, presented)
        if info is not None and self._ttl > 0:
            if len(self._cache) >= MAX_CACHED_KEYS:
                self._cache.clear()
            self._cache[digest] = (info, now + self._ttl)
        else:
            self._cache.pop(digest, None)
        return info


def _error(status: int, error: str, reason: str, **extra: object) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error, "reason": reason, **extra}, status_code=status, headers=headers)


def _retry_after(seconds: float) -> str:
    """Whole seconds from 1 to a minute, whatever the bus reported (even inf or nan)."""
    if not math.isfinite(seconds):
        return str(MAX_RETRY_AFTER_S)
    return str(min(MAX_RETRY_AFTER_S, max(1, math.ceil(seconds))))


def _declared_over(value: str | None, cap: int) -> bool:
    """Whether a ``Content-Length`` announces more than ``cap`` bytes (a non-number announces
    nothing: the streamed size is counted anyway)."""
    if value is None:
        return False
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return False
    return len(value) > _MAX_LENGTH_DIGITS or int(value) > cap


def create_ingest_app(
    bus: Bus,
    store: Store,
    settings: ServerSettings,
    metrics: Metrics,
    *,
    store_thread: StoreThread | None = None,
    ops: bool = True,
    docs: bool = True,
) -> FastAPI:
    """The collector's ASGI app over ``bus`` and ``store`` (the store authenticates keys).

    ``ops`` adds ``/healthz``, ``/readyz`` and ``/metrics``; ``docs`` serves ``/docs`` (off when the
    read API, mounted beside it by ``serve``, owns them).
    """
    if settings.max_concurrent_decompressions < 1:
        raise ConfigError("server.max_concurrent_decompressions must be at least 1")
    if settings.max_decompressed_bytes < 1:
        raise ConfigError("server.max_decompressed_bytes must be at least 1")
    thread = store_thread or StoreThread("collector-store")
    slots = DecodeSlots(settings.max_concurrent_decompressions)
    keys = KeyCache(store, thread, settings.auth_cache_s)
    lag_consumer = bus.consumer(settings.worker.durable)
    prefix = traffic_prefix(settings.bus)
    app = FastAPI(
        title="Tracehound collector",
        description="Ingest API: POST batches of HAR or NDJSON traffic with an ingest key.",
        version="1",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )

    app.state.decode_slots = slots  # for operators and tests: how many big gzip batches decode at once

    def reject(reason: str, status: int, message: str, **extra: object) -> JSONResponse:
        metrics.rejected.labels(reason).inc()
        return _error(status, reason, message, **extra)

    @app.post("/v1/traffic", status_code=202, summary="Ingest a batch of traffic (HAR or NDJSON)")
    async def post_traffic(request: Request) -> JSONResponse:
        started = time.perf_counter()
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return reject("unauthenticated", 401, "send an API key as 'Authorization: Bearer <key>'")
        try:
            info = await keys.authenticate(token)
        except StoreError as exc:
            event(log, "collector.auth_unavailable", logging.WARNING, error=str(exc))
            metrics.store_errors.inc()
            return _error(503, "store_unavailable", "cannot check the API key right now; retry")
        if info is None:
            return reject("unauthenticated", 401, "unknown or revoked API key")
        if not role_allows(info.role, "ingest"):
            return reject("forbidden", 403, f"a key of role {info.role!r} cannot ingest; use an ingest key")

        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in HAR_TYPES and media not in NDJSON_TYPES and media not in SNIFFED_TYPES:
            return reject(
                "unsupported_media_type",
                415,
                "unsupported content type: send application/json (HAR) or application/x-ndjson",
            )
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", ""):
            return reject("unsupported_media_type", 415, "unsupported content encoding: send gzip or none")

        cap = settings.max_batch_bytes
        if _declared_over(request.headers.get("content-length"), cap):
            return reject("too_large", 413, f"batch over the limit of {cap} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                return reject("too_large", 413, f"batch over the limit of {cap} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        del chunks

        if encoding not in ("gzip", "x-gzip"):
            return await accept(info, media, body, started)
        decoder = GzipDecoder(body, settings.max_decompressed_bytes)
        del body
        try:
            complete = decoder.advance(FREE_DECODE_BYTES + 1)  # + 1: a body of exactly the allowance ends here
        except TooLarge as exc:
            return reject("too_large", 413, str(exc))
        except BatchError as exc:
            return reject("invalid", 400, exc.reason, entry=exc.index)
        if complete:
            return await accept(info, media, decoder.result(), started)
        if not slots.try_take():
            metrics.rejected.labels("busy").inc()
            return JSONResponse(
                {"error": "busy", "reason": "the collector is decoding as many compressed batches as it allows; retry"},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        try:
            # The slot covers the decoded body's whole life: decoding, parsing and publishing.
            try:
                await asyncio.to_thread(decoder.advance, settings.max_decompressed_bytes + 1)
            except TooLarge as exc:
                return reject("too_large", 413, str(exc))
            except BatchError as exc:
                return reject("invalid", 400, exc.reason, entry=exc.index)
            return await accept(info, media, decoder.result(), started)
        finally:
            del decoder
            slots.give_back()

    async def accept(info: KeyInfo, media: str, body: bytes, started: float) -> JSONResponse:
        """Parse a decoded body and publish it: 202, or the answer saying why not."""
        try:
            if media in SNIFFED_TYPES:
                media = sniff_media(body)
            if len(body) > INLINE_PARSE_BYTES:
                lines = await asyncio.to_thread(_parse, info.tenant, media, body)
            else:
                lines = _parse(info.tenant, media, body)
        except BatchError as exc:
            return reject("invalid", 400, exc.reason, entry=exc.index)

        tenant = info.tenant
        accepted = len(lines)
        duplicate = False
        if lines:
            base_id = batch_id(tenant, body)
            payloads = encode_messages(tenant, lines, settings.max_message_bytes)
            del lines
            subject = subject_for(tenant, prefix)
            try:
                acks = []
                for i, payload in enumerate(payloads):
                    msg_id = base_id if len(payloads) == 1 else f"{base_id}-{i}"
                    acks.append(await bus.publish(subject, payload, msg_id))
            except BusFull as exc:
                metrics.rejected.labels("bus_full").inc()
                return JSONResponse(
                    {"error": "bus_full", "reason": "the bus is at its limit; retry the same batch later"},
                    status_code=429,
                    headers={"Retry-After": _retry_after(exc.retry_after)},
                )
            except BusError as exc:
                metrics.rejected.labels("bus_unavailable").inc()
                metrics.bus_errors.inc()
                event(log, "collector.publish_failed", logging.WARNING, tenant=tenant, error=str(exc))
                return JSONResponse(
                    {"error": "bus_unavailable", "reason": "the bus did not acknowledge the batch; retry it"},
                    status_code=503,
                    headers={"Retry-After": "1"},
                )
            duplicate = all(ack.duplicate for ack in acks)
        metrics.publish_seconds.observe(time.perf_counter() - started)
        metrics.batches_received.labels("true" if duplicate else "false").inc()
        if not duplicate:
            metrics.transactions_received.inc(accepted)
        return JSONResponse({"accepted": accepted, "duplicate": duplicate}, status_code=202)

    async def ready() -> dict[str, str]:
        problems: dict[str, str] = {}
        try:
            metrics.bus_lag.set(await lag_consumer.pending())
        except BusError as exc:
            problems["bus"] = str(exc)
        try:
            await thread.call(store.ping)
        except StoreError as exc:
            problems["store"] = str(exc)
        return problems

    if ops:
        add_ops_routes(app, metrics, ready)
    app.add_middleware(ContainErrors, service="collector")
    return app


def sniff_media(body: bytes) -> str:
    """``application/json`` for a HAR document (an object whose first key is ``log``), else NDJSON."""
    return "application/json" if _HAR_START.match(body[:4096]) else "application/x-ndjson"


def _parse(tenant: str, media: str, body: bytes) -> list[bytes]:
    # A reason may carry a secret tag: made with the tenant's key, as everywhere its data is.
    with tags_for_tenant(tenant):
        if media in HAR_TYPES:
            return transactions_to_lines(parse_har(body))
        return parse_ndjson_in_pieces(body)


def parse_ndjson_in_pieces(body: bytes, piece_bytes: int = NDJSON_PIECE_BYTES) -> list[bytes]:
    """:func:`~tracehound.cluster.batch.parse_ndjson` over pieces of about 64 KiB cut after a newline:
    the same lines, and errors with the same line numbers, but the split never covers more than one
    piece. Over a whole body of blank or one-byte lines that list of lines took 8 to 20 times the
    body (a 32 MiB batch of newlines, 30 KB gzipped, held 290 MiB)."""
    if len(body) <= piece_bytes:
        return parse_ndjson(body)
    out: list[bytes] = []
    pos = 0
    first_line = 0
    while pos < len(body):
        end = body.find(b"\n", pos + piece_bytes)
        end = len(body) if end < 0 else end + 1
        piece = body[pos:end]
        try:
            out.extend(parse_ndjson(piece))
        except BatchError as exc:
            raise BatchError(exc.reason, None if exc.index is None else exc.index + first_line) from None
        first_line += piece.count(b"\n")
        pos = end
    return out
