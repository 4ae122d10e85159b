"""The in-process bus: the shared contract, plus URL parsing and what only memory can show cheaply."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from tracehound.bus.base import BusOptions, open_bus
from tracehound.bus.memory import MemoryBus, subject_matches
from tracehound.errors import ConfigError

from .contract import BusContract, drain


class TestMemoryBus(BusContract):
    @pytest.fixture
    def bus_url(self) -> Callable[..., tuple[str, str]]:
        def make(**options: object) -> tuple[str, str]:
            query = urlencode({k: str(v) for k, v in options.items()})
            return f"memory://?{query}", f"tracehound.test.{uuid.uuid4().hex}"

        return make


@pytest.mark.parametrize(
    ("pattern", "subject", "matches"),
    [
        ("tracehound.>", "tracehound.tx", True),
        ("tracehound.>", "tracehound.tx.acme", True),
        ("tracehound.>", "tracehound", False),
        ("tracehound.*", "tracehound.tx", True),
        ("tracehound.*", "tracehound.tx.acme", False),
        ("tracehound.tx", "tracehound.tx", True),
        ("tracehound.tx", "tracehound.rx", False),
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.d", False),
    ],
)
def test_subject_matching_follows_nats_wildcards(pattern: str, subject: str, matches: bool) -> None:
    assert subject_matches(pattern, subject) is matches


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memory://?colour=blue", "unknown option 'colour'"),
        ("memory://?max_msgs=lots", "'max_msgs' must be an integer"),
        ("memory://?ack_wait=0", "'ack_wait' must be positive"),
        ("memory://?storage=disk", "'storage' must be"),
        ("kafka://broker:9092", "scheme must be memory:// or nats://"),
        ("nats://", "name at least one server"),
        ("nats://a:4222,", "name at least one server"),
    ],
)
def test_bad_bus_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        asyncio.run(open_bus(url))


def test_url_options_reach_the_bus() -> None:
    bus = asyncio.run(open_bus("memory://?stream=S&subjects=s.>&max_msgs=7&ack_wait=1.5"))
    assert isinstance(bus, MemoryBus)
    assert bus.options == BusOptions(stream="S", subjects="s.>", max_msgs=7, ack_wait=1.5)


def test_id_is_stored_again_after_the_duplicate_window() -> None:
    async def run() -> None:
        bus = MemoryBus(BusOptions(duplicate_window=0.2))
        first = await bus.publish("tracehound.tx", b"x", "id")
        assert (await bus.publish("tracehound.tx", b"x", "id")).duplicate
        await asyncio.sleep(0.3)
        again = await bus.publish("tracehound.tx", b"x", "id")
        assert not again.duplicate and again.seq > first.seq
        assert len(await drain(bus, expect=2)) == 2

    asyncio.run(run())


def test_byte_limit_refuses_with_bus_full() -> None:
    async def run() -> None:
        from tracehound.bus.base import BusFull

        bus = MemoryBus(BusOptions(max_bytes=100))
        await bus.publish("tracehound.tx", b"x" * 50, "a")
        with pytest.raises(BusFull, match="bytes"):
            await bus.publish("tracehound.tx", b"x" * 50, "b")

    asyncio.run(run())


def test_a_late_ack_of_a_redelivered_message_settles_it() -> None:
    async def run() -> None:
        bus = MemoryBus(BusOptions(ack_wait=0.1))
        await bus.publish("tracehound.tx", b"x", "a")
        consumer = bus.consumer("workers")
        [first] = await consumer.fetch(1, timeout=1)
        [second] = await consumer.fetch(1, timeout=1)
        await first.ack()
        await second.ack()
        assert await consumer.pending() == 0
        assert await consumer.fetch(1, timeout=0.2) == []

    asyncio.run(run())
