"""The bus protocol: how transaction batches travel from collectors to workers.

The collector may answer 202 only once a batch is *persisted*, and a worker may acknowledge a
batch only once its flush has committed; everything between is at-least-once. This module says
what every bus adapter must provide so that the stage code is the same in offline mode (the
in-process :mod:`tracehound.bus.memory`) and in a cluster (:mod:`tracehound.bus.jetstream`), and it
parses the ``--bus`` URL into an adapter. Adapter modules are imported lazily so that the offline
mode never imports the NATS client.

The semantics, checked for every adapter by the shared contract tests in ``tests/bus``:

- ``publish`` returns only after the message is persisted; the same ``msg_id`` published again
  within the duplicate window is not stored twice and its ack says ``duplicate=True``.
- A full stream refuses new messages with :class:`BusFull` (never drops old ones), so the
  collector can answer 429 with ``Retry-After``; an unreachable bus raises :class:`BusError`.
- The stream keeps a message until a consumer acknowledges it (work-queue retention): every
  consumer bound to one durable name shares the work, and only one durable may exist per stream.
- A message not acknowledged within the ack wait, or ``nak``-ed, is delivered again with a higher
  ``num_delivered``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlsplit

from tracehound.errors import BusError, ConfigError
from tracehound.model.redaction import redact_url

__all__ = [
    "Bus",
    "BusError",
    "BusFull",
    "Consumer",
    "Message",
    "PublishAck",
    "open_bus",
]


class BusFull(BusError):
    """The stream is at its message or byte limit and refused a new message.

    Nothing was stored: the caller should retry the same message id later, and a collector
    answers 429 with ``Retry-After: retry_after``.
    """

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class PublishAck:
    """The bus's receipt for a persisted message."""

    stream: str
    seq: int
    """The stream sequence of the stored message (of the first copy, for a duplicate)."""
    duplicate: bool
    """True when a message with the same id was already stored within the duplicate window."""


class Message(Protocol):
    """One delivered message; settle it with exactly one of ``ack`` or ``nak``."""

    @property
    def subject(self) -> str: ...

    @property
    def payload(self) -> bytes: ...

    @property
    def stream_seq(self) -> int:
        """Position in the stream: unique, monotonic, the same on every redelivery."""
        ...

    @property
    def msg_id(self) -> str | None:
        """The id given to ``publish``."""
        ...

    @property
    def num_delivered(self) -> int:
        """1 on first delivery, more on redeliveries."""
        ...

    async def ack(self) -> None:
        """Acknowledge: the message is done and will not be delivered again.

        Returns once the bus has recorded the ack; raises :class:`BusError` if it could not be
        recorded, in which case the message may be delivered again.
        """
        ...

    async def nak(self, delay: float = 0.0) -> None:
        """Give the message back for redelivery after ``delay`` seconds."""
        ...

    async def in_progress(self) -> None:
        """Restart the ack wait: the message is still being worked on."""
        ...


class Consumer(Protocol):
    """A pull consumer bound to a durable name; consumers with the same name share the work."""

    @property
    def durable(self) -> str: ...

    async def fetch(self, batch: int, timeout: float) -> list[Message]:
        """Up to ``batch`` messages; waits at most ``timeout`` seconds for the first one.

        Returns an empty list when nothing arrived in time.
        """
        ...

    async def pending(self) -> int:
        """Messages not yet acknowledged by this durable (undelivered plus awaiting ack)."""
        ...


@runtime_checkable
class Bus(Protocol):
    """A persistent, deduplicating, bounded stream of messages."""

    @property
    def stream(self) -> str: ...

    async def publish(self, subject: str, payload: bytes, msg_id: str) -> PublishAck:
        """Persist one message; raises :class:`BusFull` or :class:`BusError` when it cannot."""
        ...

    def consumer(self, durable: str) -> Consumer:
        """A pull consumer for ``durable``, created on first use if the stream has none."""
        ...

    async def close(self) -> None:
        """Release connections; messages already persisted stay in the stream."""
        ...


@dataclass(frozen=True, slots=True)
class BusOptions:
    """Settings common to every adapter, read from the ``--bus`` URL's query string."""

    stream: str = "TRACEHOUND"
    subjects: str = "tracehound.>"
    """The subject pattern the stream captures; ``publish`` subjects must match it."""
    replicas: int = 1
    storage: str = "file"
    max_msgs: int = 1_000_000
    """Backlog bound: publishes beyond it raise :class:`BusFull`. ``-1`` for no bound."""
    max_bytes: int = 1 << 30
    duplicate_window: float = 120.0
    ack_wait: float = 30.0
    max_ack_pending: int = 10_000
    timeout: float = 5.0
    """Seconds to wait for a publish ack or a bus API answer."""
    connect_timeout: float = 5.0
    name: str = "tracehound"
    """The client name the server shows for this connection."""


_INT_OPTIONS = {"replicas", "max_msgs", "max_bytes", "max_ack_pending"}
_FLOAT_OPTIONS = {"duplicate_window", "ack_wait", "timeout", "connect_timeout"}
_STR_OPTIONS = {"stream", "subjects", "storage", "name"}


def parse_options(url: str, query: Mapping[str, str]) -> BusOptions:
    """Typed options from a URL query; an unknown key or a bad value is a :class:`ConfigError`."""
    values: dict[str, object] = {}
    for key, raw in query.items():
        if key in _INT_OPTIONS:
            try:
                values[key] = int(raw)
            except ValueError:
                raise ConfigError(
                    f"bus URL {redact_url(url)!r}: option {key!r} must be an integer, not {raw!r}"
                ) from None
        elif key in _FLOAT_OPTIONS:
            try:
                values[key] = float(raw)
            except ValueError:
                raise ConfigError(
                    f"bus URL {redact_url(url)!r}: option {key!r} must be a number, not {raw!r}"
                ) from None
        elif key in _STR_OPTIONS:
            values[key] = raw
        else:
            known = ", ".join(sorted(_INT_OPTIONS | _FLOAT_OPTIONS | _STR_OPTIONS))
            raise ConfigError(f"bus URL {redact_url(url)!r}: unknown option {key!r} (known: {known})")
    options = BusOptions(**values)  # type: ignore[arg-type]
    if options.storage not in ("file", "memory"):
        raise ConfigError(f"bus URL {redact_url(url)!r}: option 'storage' must be 'file' or 'memory'")
    if options.replicas < 1:
        raise ConfigError(f"bus URL {redact_url(url)!r}: option 'replicas' must be at least 1")
    for key in ("ack_wait", "timeout", "connect_timeout"):
        if getattr(options, key) <= 0:
            raise ConfigError(f"bus URL {redact_url(url)!r}: option {key!r} must be positive")
    if options.duplicate_window < 0:
        raise ConfigError(f"bus URL {redact_url(url)!r}: option 'duplicate_window' must not be negative")
    return options


async def open_bus(url: str) -> Bus:
    """Open the bus a ``--bus`` URL names.

    - ``memory://`` — in-process, for offline and single-node modes; every call makes a new bus.
    - ``nats://host:port[,host2:port2...]`` — NATS JetStream; the stream is created (or updated)
      with the URL's options, e.g. ``nats://n1:4222,n2:4222,n3:4222?stream=TRACEHOUND&replicas=3``.

    Options (query string): ``stream``, ``subjects``, ``replicas``, ``storage`` (file|memory),
    ``max_msgs``, ``max_bytes``, ``duplicate_window``, ``ack_wait`` (seconds),
    ``max_ack_pending``, ``timeout``, ``connect_timeout``, ``name``.
    """
    parts = urlsplit(url)
    try:
        query = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)))
    except ValueError:
        raise ConfigError(f"bus URL {redact_url(url)!r}: the query string is not key=value pairs") from None
    options = parse_options(url, query)
    if parts.scheme == "memory":
        from tracehound.bus.memory import MemoryBus

        return MemoryBus(options)
    if parts.scheme in ("nats", "tls"):
        from tracehound.bus.jetstream import JetStreamBus

        servers = [f"{parts.scheme}://{hostport.strip()}" for hostport in parts.netloc.split(",")]
        if not parts.netloc or any(not s.split("://", 1)[1] for s in servers):
            raise ConfigError(f"bus URL {redact_url(url)!r}: name at least one server, as nats://host:port")
        return await JetStreamBus.connect(servers, options)
    raise ConfigError(f"bus URL {redact_url(url)!r}: the scheme must be memory:// or nats://")
