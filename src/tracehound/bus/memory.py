"""The in-process bus: the JetStream semantics without a server, for offline and single-node modes.

``tracehound analyze`` and ``tracehound serve`` run the same collector and worker code as a
cluster, so they need a bus that behaves like the real one: a message is "persisted" once it is
appended to an in-memory log with a monotonic sequence, ids published again within the duplicate
window are acknowledged as duplicates and not stored, a full log refuses new messages with
:class:`~tracehound.bus.base.BusFull`, and a delivered message that is not acknowledged within the
ack wait (or is ``nak``-ed) is delivered again. Keeping those semantics here, rather than a plain
queue, means the worker's at-least-once handling is exercised in every mode and the contract
tests can run the same cases against both adapters.

Nothing survives the process, by design: offline and single-node modes own their process. The bus
belongs to one event loop and is not thread-safe.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from tracehound.bus.base import BusFull, BusOptions, Message, PublishAck
from tracehound.errors import BusError

__all__ = ["MemoryBus", "MemoryConsumer", "MemoryMessage", "subject_matches"]


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` matches one token, a final ``>`` one or more."""
    want = pattern.split(".")
    have = subject.split(".")
    for i, part in enumerate(want):
        if part == ">":
            return len(have) > i
        if i >= len(have) or (part != "*" and part != have[i]):
            return False
    return len(have) == len(want)


@dataclass(slots=True)
class _Stored:
    subject: str
    payload: bytes
    msg_id: str | None
    size: int


@dataclass(slots=True)
class _Pending:
    """A delivered, unacknowledged message: when it may be delivered again, and how often it was."""

    redeliver_at: float
    num_delivered: int


class MemoryMessage:
    """A message delivered by :class:`MemoryConsumer`."""

    __slots__ = ("_bus", "msg_id", "num_delivered", "payload", "stream_seq", "subject")

    def __init__(self, bus: MemoryBus, seq: int, stored: _Stored, num_delivered: int) -> None:
        self._bus = bus
        self.subject = stored.subject
        self.payload = stored.payload
        self.stream_seq = seq
        self.msg_id = stored.msg_id
        self.num_delivered = num_delivered

    async def ack(self) -> None:
        self._bus._ack(self.stream_seq)

    async def nak(self, delay: float = 0.0) -> None:
        self._bus._reschedule(self.stream_seq, max(delay, 0.0))

    async def in_progress(self) -> None:
        self._bus._reschedule(self.stream_seq, self._bus.options.ack_wait)

    def __repr__(self) -> str:
        return f"MemoryMessage(seq={self.stream_seq}, msg_id={self.msg_id!r}, delivered={self.num_delivered})"


class MemoryConsumer:
    """A pull consumer on a :class:`MemoryBus`; all consumers of the bus share one durable state."""

    def __init__(self, bus: MemoryBus, durable: str) -> None:
        self._bus = bus
        self._durable = durable

    @property
    def durable(self) -> str:
        return self._durable

    async def fetch(self, batch: int, timeout: float) -> list[Message]:
        if batch < 1:
            raise ValueError(f"fetch batch must be at least 1, not {batch}")
        bus = self._bus
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            bus._check_open()
            taken = bus._take(batch)
            if taken:
                return list(taken)
            now = time.monotonic()
            if now >= deadline:
                return []
            wait = deadline - now
            next_due = bus._next_redelivery()
            if next_due is not None:
                wait = min(wait, max(next_due - now, 0.0))
            await bus._wait_for_change(wait)

    async def pending(self) -> int:
        self._bus._check_open()
        return len(self._bus._log)


class MemoryBus:
    """An in-memory, work-queue stream with JetStream's publish, dedup and redelivery semantics."""

    def __init__(self, options: BusOptions | None = None) -> None:
        self.options = options or BusOptions()
        self._log: dict[int, _Stored] = {}
        self._bytes = 0
        self._last_seq = 0
        self._dedup: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._durable: str | None = None
        self._delivered_upto = 0
        self._pending: dict[int, _Pending] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._closed = False

    @property
    def stream(self) -> str:
        return self.options.stream

    async def publish(self, subject: str, payload: bytes, msg_id: str) -> PublishAck:
        self._check_open()
        if not subject_matches(self.options.subjects, subject):
            raise BusError(
                f"subject {subject!r} is not captured by stream {self.stream!r} "
                f"(subjects {self.options.subjects!r}): publish to a subject that matches it"
            )
        now = time.monotonic()
        self._forget_ids_before(now - self.options.duplicate_window)
        if msg_id and msg_id in self._dedup:
            return PublishAck(self.stream, self._dedup[msg_id][0], duplicate=True)
        size = len(subject) + len(payload) + len(msg_id)
        if self.options.max_msgs >= 0 and len(self._log) >= self.options.max_msgs:
            raise BusFull(f"stream {self.stream!r} holds its maximum of {self.options.max_msgs} messages")
        if self.options.max_bytes >= 0 and self._bytes + size > self.options.max_bytes:
            raise BusFull(f"stream {self.stream!r} holds its maximum of {self.options.max_bytes} bytes")
        self._last_seq += 1
        seq = self._last_seq
        self._log[seq] = _Stored(subject, payload, msg_id or None, size)
        self._bytes += size
        if msg_id and self.options.duplicate_window > 0:
            self._dedup[msg_id] = (seq, now)
        self._wake()
        return PublishAck(self.stream, seq, duplicate=False)

    def consumer(self, durable: str) -> MemoryConsumer:
        self._check_open()
        if not durable:
            raise BusError("a consumer needs a durable name")
        if self._durable is None:
            self._durable = durable
        elif self._durable != durable:
            raise BusError(
                f"stream {self.stream!r} already has durable consumer {self._durable!r}; a work-queue "
                f"stream allows one: use that name for every worker"
            )
        return MemoryConsumer(self, durable)

    async def close(self) -> None:
        self._closed = True
        self._wake()

    # -- internals shared with consumers and messages ---------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise BusError(f"bus {self.stream!r} is closed")

    def _forget_ids_before(self, cutoff: float) -> None:
        while self._dedup:
            msg_id, (_, stored_at) = next(iter(self._dedup.items()))
            if stored_at >= cutoff:
                break
            del self._dedup[msg_id]

    def _take(self, batch: int) -> list[MemoryMessage]:
        now = time.monotonic()
        out: list[MemoryMessage] = []
        due = sorted(seq for seq, p in self._pending.items() if p.redeliver_at <= now)
        for seq in due:
            if len(out) >= batch:
                return out
            stored = self._log.get(seq)
            if stored is None:  # acknowledged meanwhile
                del self._pending[seq]
                continue
            pending = self._pending[seq]
            pending.num_delivered += 1
            pending.redeliver_at = now + self.options.ack_wait
            out.append(MemoryMessage(self, seq, stored, pending.num_delivered))
        while len(out) < batch and self._delivered_upto < self._last_seq:
            self._delivered_upto += 1
            seq = self._delivered_upto
            stored = self._log.get(seq)
            if stored is None:
                continue
            self._pending[seq] = _Pending(now + self.options.ack_wait, 1)
            out.append(MemoryMessage(self, seq, stored, 1))
        return out

    def _next_redelivery(self) -> float | None:
        return min((p.redeliver_at for p in self._pending.values()), default=None)

    def _ack(self, seq: int) -> None:
        self._check_open()
        self._pending.pop(seq, None)
        stored = self._log.pop(seq, None)
        if stored is not None:
            self._bytes -= stored.size

    def _reschedule(self, seq: int, delay: float) -> None:
        self._check_open()
        pending = self._pending.get(seq)
        if pending is not None:
            pending.redeliver_at = time.monotonic() + delay
            self._wake()

    async def _wait_for_change(self, timeout: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait((waiter,), timeout=timeout)
        finally:
            self._waiters.discard(waiter)
            if not waiter.done():
                waiter.cancel()

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()
