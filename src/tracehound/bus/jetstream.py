"""The NATS JetStream bus: a replicated, file-backed stream for the cluster mode.

JetStream gives what the write path needs without home-made clustering: a publish is acknowledged
only once the stream has stored the message on a quorum of its replicas, ``Nats-Msg-Id`` headers
deduplicate a collector's retries within the stream's duplicate window, a work-queue stream with
``discard: new`` refuses messages when the backlog is at its limits (so the collector answers 429
rather than the bus dropping old traffic), and durable pull consumers with explicit acks and an ack
wait give at-least-once delivery to any number of workers. This module maps those to the
:mod:`tracehound.bus.base` protocol and maps every client failure to
:class:`~tracehound.errors.BusError`, so no caller ever handles a ``nats`` exception. It is the only
module in Tracehound that imports ``nats``.

Connection loss is handled by the client: it reconnects forever, trying every server of the URL and
those the cluster advertises. While disconnected, publishes and fetches fail after the configured
``timeout`` with :class:`BusError`, and a caller retrying with the same message id is deduplicated.
"""

from __future__ import annotations

import asyncio
import logging
import time

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from tracehound.bus.base import BusFull, BusOptions, Message, PublishAck
from tracehound.errors import BusError
from tracehound.model.redaction import redact_url

__all__ = ["JetStreamBus", "JetStreamConsumer", "JetStreamMessage"]

log = logging.getLogger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"

# JetStream error codes (nats-server's errors.json) that mean "the stream is at its limits".
_STORE_FAILED = 10077  # JSStreamStoreFailedF: "maximum messages exceeded", "maximum bytes exceeded"
_INSUFFICIENT_RESOURCES = 10023
_STREAM_NAME_IN_USE = 10058  # the stream exists with another configuration
_FULL_DESCRIPTIONS = ("maximum messages", "maximum bytes", "resource limits", "insufficient resources")

# Failures of the client or the server that mean "the bus is not reachable right now".
_UNREACHABLE: tuple[type[BaseException], ...] = (nats.errors.Error, OSError, TimeoutError)


def _is_full(err: nats.js.errors.APIError) -> bool:
    description = (err.description or "").lower()
    if err.err_code == _INSUFFICIENT_RESOURCES:
        return True
    return err.err_code == _STORE_FAILED and any(d in description for d in _FULL_DESCRIPTIONS)


class JetStreamMessage:
    """A message delivered by a :class:`JetStreamConsumer`."""

    __slots__ = (
        "_msg",
        "_settled",
        "_timeout",
        "msg_id",
        "num_delivered",
        "payload",
        "stream_seq",
        "subject",
    )

    def __init__(self, msg: Msg, timeout: float) -> None:
        metadata = msg.metadata
        self._msg = msg
        self._timeout = timeout
        self._settled = False
        self.subject: str = msg.subject
        self.payload: bytes = msg.data
        self.stream_seq: int = metadata.sequence.stream
        self.num_delivered: int = metadata.num_delivered
        headers = msg.headers or {}
        self.msg_id: str | None = headers.get(MSG_ID_HEADER) or None

    async def ack(self) -> None:
        if self._settled:
            return
        try:
            # A synchronous ack: the caller learns whether the server recorded it.
            await self._msg.ack_sync(timeout=self._timeout)
        except _UNREACHABLE as exc:
            raise BusError(f"could not acknowledge message {self.stream_seq}: {exc}") from exc
        self._settled = True

    async def nak(self, delay: float = 0.0) -> None:
        if self._settled:
            return
        try:
            await self._msg.nak(delay=delay if delay > 0 else None)
        except _UNREACHABLE as exc:
            raise BusError(f"could not nak message {self.stream_seq}: {exc}") from exc
        self._settled = True

    async def in_progress(self) -> None:
        try:
            await self._msg.in_progress()
        except _UNREACHABLE as exc:
            raise BusError(f"could not extend the ack wait of message {self.stream_seq}: {exc}") from exc

    def __repr__(self) -> str:
        return f"JetStreamMessage(seq={self.stream_seq}, msg_id={self.msg_id!r}, delivered={self.num_delivered})"


class JetStreamConsumer:
    """A durable pull consumer; bound to the server on first use, since binding needs a round trip."""

    def __init__(self, bus: JetStreamBus, durable: str) -> None:
        self._bus = bus
        self._durable = durable
        self._sub: JetStreamContext.PullSubscription | None = None
        self._lock = asyncio.Lock()

    @property
    def durable(self) -> str:
        return self._durable

    async def _subscription(self) -> JetStreamContext.PullSubscription:
        async with self._lock:
            if self._sub is None:
                options = self._bus.options
                config = ConsumerConfig(
                    durable_name=self._durable,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=options.ack_wait,
                    max_ack_pending=options.max_ack_pending,
                )
                try:
                    self._sub = await self._bus._js.pull_subscribe(
                        options.subjects, durable=self._durable, stream=options.stream, config=config
                    )
                except nats.js.errors.APIError as exc:
                    raise BusError(
                        f"stream {options.stream!r} refused durable consumer {self._durable!r}: "
                        f"{exc.description} (a work-queue stream allows one durable: use that name "
                        f"for every worker)"
                    ) from exc
                except _UNREACHABLE as exc:
                    raise BusError(f"could not bind consumer {self._durable!r}: {exc!r}") from exc
            return self._sub

    async def fetch(self, batch: int, timeout: float) -> list[Message]:
        if batch < 1:
            raise ValueError(f"fetch batch must be at least 1, not {batch}")
        self._bus._check_open()
        sub = await self._subscription()
        try:
            msgs = await sub.fetch(batch, timeout=max(timeout, 0.01))
        except (TimeoutError, nats.errors.TimeoutError):
            return []
        except nats.js.errors.APIError as exc:
            raise BusError(f"fetch from consumer {self._durable!r} failed: {exc.description}") from exc
        except _UNREACHABLE as exc:
            raise BusError(f"fetch from consumer {self._durable!r} failed: {exc!r}") from exc
        timeout_ack = self._bus.options.timeout
        return [JetStreamMessage(msg, timeout_ack) for msg in msgs]

    async def pending(self) -> int:
        self._bus._check_open()
        sub = await self._subscription()
        try:
            info = await sub.consumer_info()
        except _UNREACHABLE as exc:
            raise BusError(f"could not read the state of consumer {self._durable!r}: {exc!r}") from exc
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)


class JetStreamBus:
    """A :class:`~tracehound.bus.base.Bus` on a NATS JetStream work-queue stream."""

    def __init__(self, nc: Client, options: BusOptions) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=options.timeout)
        self.options = options
        self._closed = False
        self._events: _ConnectionEvents | None = None

    @property
    def stream(self) -> str:
        return self.options.stream

    @classmethod
    async def connect(cls, servers: list[str], options: BusOptions) -> JetStreamBus:
        """Connect to any of ``servers`` and create or update the stream the options describe."""
        nc = Client()
        events = _ConnectionEvents(servers)
        try:
            # The client retries forever (so a running service rides out a cluster restart), but
            # a service that cannot reach the bus at start must fail with a clear error instead.
            await asyncio.wait_for(
                nc.connect(
                    servers=servers,
                    name=options.name,
                    connect_timeout=max(1, round(options.connect_timeout)),
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,  # type: ignore[arg-type]
                    error_cb=events.on_error,
                    disconnected_cb=events.on_disconnected,
                    reconnected_cb=events.on_reconnected,
                ),
                timeout=options.connect_timeout * max(2, len(servers)),
            )
        except _UNREACHABLE as exc:
            await nc.close()
            raise BusError(
                f"cannot reach NATS at {redact_url(', '.join(servers))}: {exc!r}; check the --bus URL and that "
                f"the servers run with JetStream enabled"
            ) from exc
        bus = cls(nc, options)
        bus._events = events
        try:
            await bus._ensure_stream()
        except BaseException:
            await nc.close()
            raise
        return bus

    def _stream_config(self) -> StreamConfig:
        o = self.options
        return StreamConfig(
            name=o.stream,
            subjects=[o.subjects],
            retention=RetentionPolicy.WORK_QUEUE,
            discard=DiscardPolicy.NEW,
            max_msgs=o.max_msgs,
            max_bytes=o.max_bytes,
            storage=StorageType.FILE if o.storage == "file" else StorageType.MEMORY,
            num_replicas=o.replicas,
            duplicate_window=o.duplicate_window,
        )

    async def _ensure_stream(self) -> None:
        config = self._stream_config()
        # A cluster that has just started may not have elected its JetStream leader yet.
        deadline = time.monotonic() + self.options.connect_timeout + self.options.timeout
        while True:
            try:
                try:
                    await self._js.add_stream(config)
                except nats.js.errors.BadRequestError as exc:
                    if exc.err_code != _STREAM_NAME_IN_USE:
                        raise
                    await self._js.update_stream(config)
                return
            except nats.js.errors.APIError as exc:
                if isinstance(exc, nats.js.errors.ServiceUnavailableError) and time.monotonic() < deadline:
                    await asyncio.sleep(0.25)
                    continue
                raise BusError(
                    f"cannot create or update stream {self.stream!r} "
                    f"(subjects {self.options.subjects!r}, replicas {self.options.replicas}): "
                    f"{exc.description}"
                ) from exc
            except _UNREACHABLE as exc:
                if time.monotonic() < deadline:
                    await asyncio.sleep(0.25)
                    continue
                raise BusError(f"cannot create or update stream {self.stream!r}: {exc!r}") from exc

    def _check_open(self) -> None:
        if self._closed:
            raise BusError(f"bus {self.stream!r} is closed")

    async def publish(self, subject: str, payload: bytes, msg_id: str) -> PublishAck:
        self._check_open()
        headers = {MSG_ID_HEADER: msg_id} if msg_id else None
        try:
            ack = await self._js.publish(
                subject, payload, timeout=self.options.timeout, stream=self.stream, headers=headers
            )
        except nats.js.errors.NoStreamResponseError as exc:
            raise BusError(
                f"no stream answered a publish to {subject!r}: stream {self.stream!r} "
                f"(subjects {self.options.subjects!r}) has no reachable leader or does not capture it"
            ) from exc
        except nats.js.errors.APIError as exc:
            if _is_full(exc):
                raise BusFull(f"stream {self.stream!r} is full: {exc.description}") from exc
            raise BusError(f"stream {self.stream!r} refused a message: {exc.description}") from exc
        except _UNREACHABLE as exc:
            raise BusError(
                f"no publish ack from stream {self.stream!r} within {self.options.timeout}s: {exc!r}; "
                f"retry with the same message id"
            ) from exc
        return PublishAck(stream=ack.stream, seq=ack.seq, duplicate=bool(ack.duplicate))

    def consumer(self, durable: str) -> JetStreamConsumer:
        self._check_open()
        if not durable:
            raise BusError("a consumer needs a durable name")
        return JetStreamConsumer(self, durable)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._events is not None:
            self._events.closing = True
        try:
            await self._nc.close()
        except _UNREACHABLE as exc:
            log.warning("bus.close_failed stream=%s error=%r", self.stream, exc)


class _ConnectionEvents:
    """Logs what the client's reconnection does, quietly when the bus is closing on purpose."""

    def __init__(self, servers: list[str]) -> None:
        self.servers = redact_url(",".join(servers))
        self.closing = False

    async def on_error(self, exc: Exception) -> None:
        if not self.closing:
            log.warning("bus.connection_error servers=%s error=%r", self.servers, exc)

    async def on_disconnected(self) -> None:
        if not self.closing:
            log.warning("bus.disconnected servers=%s", self.servers)

    async def on_reconnected(self) -> None:
        log.info("bus.reconnected servers=%s", self.servers)
