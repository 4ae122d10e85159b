"""The behaviour every bus adapter must have, run against each of them.

Stage code is written once against :mod:`tracehound.bus.base`; it is only correct in every mode if
the in-process bus and JetStream agree on what "persisted", "duplicate", "full" and "redelivered"
mean. ``BusContract`` holds those cases; ``test_memory.py`` and ``test_jetstream.py`` run them by
subclassing it and saying how to open a fresh, isolated bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tracehound.bus.base import Bus, BusFull, Message
from tracehound.errors import BusError

Opener = Callable[..., Awaitable[tuple[Bus, str]]]
"""``await open_(**options)`` → a new bus on a stream of its own, and a subject it captures."""


async def drain(bus: Bus, durable: str = "workers", expect: int | None = None, timeout: float = 5.0) -> list[Message]:
    """Fetch and ack until ``expect`` messages arrived, or until a fetch comes back empty."""
    consumer = bus.consumer(durable)
    got: list[Message] = []
    while expect is None or len(got) < expect:
        batch = await consumer.fetch(100, timeout=timeout if expect is not None else 0.5)
        if not batch:
            break
        for message in batch:
            await message.ack()
        got += batch
    return got


class BusContract:
    """Subclasses define ``make_bus(self, **options) -> (url, subject)`` via the ``bus_url`` fixture."""

    @pytest.fixture
    def anyio_backend(self) -> str:
        return "asyncio"

    @pytest.fixture
    def bus_url(self) -> Callable[..., tuple[str, str]]:
        raise NotImplementedError

    @pytest.fixture
    async def open_(self, bus_url: Callable[..., tuple[str, str]]) -> AsyncIterator[Opener]:
        from tracehound.bus.base import open_bus

        opened: list[Bus] = []

        async def opener(**options: Any) -> tuple[Bus, str]:
            url, subject = bus_url(**options)
            bus = await open_bus(url)
            opened.append(bus)
            return bus, subject

        yield opener
        for bus in opened:
            await bus.close()

    @pytest.mark.anyio
    async def test_publish_acks_with_increasing_sequences(self, open_: Opener) -> None:
        bus, subject = await open_()
        acks = [await bus.publish(subject, f"batch {i}".encode(), f"id-{i}") for i in range(5)]
        assert [a.duplicate for a in acks] == [False] * 5
        assert all(a.stream == bus.stream for a in acks)
        seqs = [a.seq for a in acks]
        assert seqs == sorted(seqs) and len(set(seqs)) == 5

    @pytest.mark.anyio
    async def test_same_msg_id_is_stored_once(self, open_: Opener) -> None:
        bus, subject = await open_()
        first = await bus.publish(subject, b"batch", "retry-me")
        again = await bus.publish(subject, b"batch", "retry-me")
        assert not first.duplicate
        assert again.duplicate and again.seq == first.seq
        got = await drain(bus)
        assert [m.payload for m in got] == [b"batch"]

    @pytest.mark.anyio
    async def test_same_payload_with_new_ids_is_stored_twice(self, open_: Opener) -> None:
        bus, subject = await open_()
        await bus.publish(subject, b"same", "a")
        await bus.publish(subject, b"same", "b")
        assert len(await drain(bus, expect=2)) == 2

    @pytest.mark.anyio
    async def test_fetch_gives_payload_id_sequence_and_first_delivery(self, open_: Opener) -> None:
        bus, subject = await open_()
        ack = await bus.publish(subject, b"\x00\xffbinary", "id-1")
        [message] = await bus.consumer("workers").fetch(10, timeout=5)
        assert message.payload == b"\x00\xffbinary"
        assert message.subject == subject
        assert message.msg_id == "id-1"
        assert message.stream_seq == ack.seq
        assert message.num_delivered == 1
        await message.ack()

    @pytest.mark.anyio
    async def test_fetch_gives_at_most_batch_in_publish_order(self, open_: Opener) -> None:
        bus, subject = await open_()
        for i in range(5):
            await bus.publish(subject, bytes([i]), f"id-{i}")
        consumer = bus.consumer("workers")
        first = await consumer.fetch(3, timeout=5)
        rest = await consumer.fetch(10, timeout=5)
        assert [m.payload for m in first] == [b"\x00", b"\x01", b"\x02"]
        assert [m.payload for m in rest] == [b"\x03", b"\x04"]

    @pytest.mark.anyio
    async def test_fetch_on_empty_stream_returns_empty_after_timeout(self, open_: Opener) -> None:
        bus, _ = await open_()
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await bus.consumer("workers").fetch(10, timeout=0.3) == []
        assert loop.time() - started < 3

    @pytest.mark.anyio
    async def test_fetch_wakes_when_a_message_arrives(self, open_: Opener) -> None:
        bus, subject = await open_()
        consumer = bus.consumer("workers")
        await consumer.pending()  # binds the consumer before the publish

        async def publish_soon() -> None:
            await asyncio.sleep(0.2)
            await bus.publish(subject, b"late", "late")

        task = asyncio.create_task(publish_soon())
        got = await consumer.fetch(1, timeout=5)
        await task
        assert [m.payload for m in got] == [b"late"]

    @pytest.mark.anyio
    async def test_acked_message_is_not_delivered_again(self, open_: Opener) -> None:
        bus, subject = await open_(ack_wait=0.5)
        await bus.publish(subject, b"x", "x")
        consumer = bus.consumer("workers")
        [message] = await consumer.fetch(1, timeout=5)
        await message.ack()
        await asyncio.sleep(0.8)
        assert await consumer.fetch(1, timeout=0.5) == []
        assert await consumer.pending() == 0

    @pytest.mark.anyio
    async def test_unacked_message_is_redelivered_after_ack_wait(self, open_: Opener) -> None:
        bus, subject = await open_(ack_wait=0.5)
        await bus.publish(subject, b"x", "x")
        consumer = bus.consumer("workers")
        [first] = await consumer.fetch(1, timeout=5)
        [again] = await consumer.fetch(1, timeout=5)
        assert again.stream_seq == first.stream_seq
        assert again.msg_id == "x" and again.payload == b"x"
        assert again.num_delivered == 2
        await again.ack()

    @pytest.mark.anyio
    async def test_nak_redelivers_at_once(self, open_: Opener) -> None:
        bus, subject = await open_(ack_wait=30)
        await bus.publish(subject, b"x", "x")
        consumer = bus.consumer("workers")
        [first] = await consumer.fetch(1, timeout=5)
        await first.nak()
        [again] = await consumer.fetch(1, timeout=5)
        assert (again.stream_seq, again.num_delivered) == (first.stream_seq, 2)
        await again.ack()

    @pytest.mark.anyio
    async def test_nak_with_delay_holds_the_message_back(self, open_: Opener) -> None:
        bus, subject = await open_(ack_wait=30)
        await bus.publish(subject, b"x", "x")
        consumer = bus.consumer("workers")
        [first] = await consumer.fetch(1, timeout=5)
        await first.nak(delay=1.5)
        assert await consumer.fetch(1, timeout=0.5) == []
        [again] = await consumer.fetch(1, timeout=5)
        assert again.stream_seq == first.stream_seq
        await again.ack()

    @pytest.mark.anyio
    async def test_in_progress_restarts_the_ack_wait(self, open_: Opener) -> None:
        bus, subject = await open_(ack_wait=2)
        await bus.publish(subject, b"x", "x")
        consumer = bus.consumer("workers")
        [message] = await consumer.fetch(1, timeout=5)
        await asyncio.sleep(1.2)
        await message.in_progress()
        await asyncio.sleep(1.2)
        assert await consumer.fetch(1, timeout=0.2) == []
        await message.ack()

    @pytest.mark.anyio
    async def test_pending_counts_undelivered_and_unacked(self, open_: Opener) -> None:
        bus, subject = await open_()
        consumer = bus.consumer("workers")
        assert await consumer.pending() == 0
        for i in range(5):
            await bus.publish(subject, b"x", f"id-{i}")
        assert await consumer.pending() == 5
        got = await consumer.fetch(2, timeout=5)
        assert await consumer.pending() == 5
        for message in got:
            await message.ack()
        assert await consumer.pending() == 3

    @pytest.mark.anyio
    async def test_full_stream_refuses_with_bus_full_until_consumed(self, open_: Opener) -> None:
        bus, subject = await open_(max_msgs=3)
        for i in range(3):
            await bus.publish(subject, b"x", f"id-{i}")
        with pytest.raises(BusFull) as refused:
            await bus.publish(subject, b"x", "id-3")
        assert isinstance(refused.value, BusError)
        assert refused.value.retry_after > 0
        [message] = await bus.consumer("workers").fetch(1, timeout=5)
        await message.ack()
        ack = await bus.publish(subject, b"x", "id-3")
        assert not ack.duplicate
        assert len(await drain(bus, expect=3)) == 3

    @pytest.mark.anyio
    async def test_retry_of_a_stored_message_is_a_duplicate_even_when_full(self, open_: Opener) -> None:
        bus, subject = await open_(max_msgs=2)
        stored = await bus.publish(subject, b"x", "id-0")
        await bus.publish(subject, b"x", "id-1")
        retry = await bus.publish(subject, b"x", "id-0")
        assert retry.duplicate and retry.seq == stored.seq

    @pytest.mark.anyio
    async def test_consumers_of_one_durable_share_the_work(self, open_: Opener) -> None:
        bus, subject = await open_()
        for i in range(10):
            await bus.publish(subject, str(i).encode(), f"id-{i}")
        a, b = bus.consumer("workers"), bus.consumer("workers")
        from_a = await a.fetch(4, timeout=5)
        from_b = await b.fetch(10, timeout=5)
        seqs_a = {m.stream_seq for m in from_a}
        seqs_b = {m.stream_seq for m in from_b}
        assert len(seqs_a) == 4 and len(seqs_b) == 6 and not seqs_a & seqs_b

    @pytest.mark.anyio
    async def test_second_durable_is_refused(self, open_: Opener) -> None:
        bus, _ = await open_()
        await bus.consumer("workers").pending()
        with pytest.raises(BusError, match="durable"):
            other = bus.consumer("others")
            await other.fetch(1, timeout=0.2)

    @pytest.mark.anyio
    async def test_subject_outside_the_stream_is_a_bus_error(self, open_: Opener) -> None:
        bus, _ = await open_(timeout=1)
        with pytest.raises(BusError):
            await bus.publish("not.captured.here", b"x", "x")

    @pytest.mark.anyio
    async def test_closed_bus_refuses_publish(self, open_: Opener) -> None:
        bus, subject = await open_()
        await bus.close()
        with pytest.raises(BusError):
            await bus.publish(subject, b"x", "x")
