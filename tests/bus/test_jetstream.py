"""The JetStream bus against real ``nats-server`` processes: the contract, restarts and a cluster.

The cluster test is the reason JetStream is in the architecture: with an R3 stream, killing one of
three nodes during ingestion must not lose any message whose publish was acknowledged.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from servers import NatsCluster, NatsNode, free_ports
from tracehound.bus.base import Bus, open_bus
from tracehound.errors import BusError

from .contract import BusContract, drain

pytestmark = pytest.mark.e2e


def _stream_url(base: str, **options: object) -> tuple[str, str]:
    """A URL for a stream of the test's own on a shared server, and a subject it captures."""
    name = uuid.uuid4().hex[:12]
    # A small max_bytes: JetStream reserves it from the server's store for each stream.
    query = {"stream": f"T_{name}", "subjects": f"t{name}.>", "timeout": 5, "max_bytes": 8 << 20, **options}
    return f"{base}?{urlencode({k: str(v) for k, v in query.items()})}", f"t{name}.tx"


class TestJetStreamBus(BusContract):
    @pytest.fixture
    def bus_url(self, nats_server: NatsNode) -> Callable[..., tuple[str, str]]:
        def make(**options: object) -> tuple[str, str]:
            return _stream_url(nats_server.url, **options)

        return make


def test_unreachable_server_is_a_bus_error() -> None:
    [port] = free_ports(1)
    started = time.monotonic()
    with pytest.raises(BusError, match="cannot reach NATS"):
        asyncio.run(open_bus(f"nats://127.0.0.1:{port}?connect_timeout=1"))
    assert time.monotonic() - started < 10


def test_messages_outlive_the_connection(nats_server: NatsNode) -> None:
    url, subject = _stream_url(nats_server.url)

    async def run() -> None:
        bus = await open_bus(url)
        for i in range(3):
            await bus.publish(subject, bytes([i]), f"id-{i}")
        await bus.close()
        bus = await open_bus(url)
        try:
            got = await drain(bus, expect=3)
            assert [m.payload for m in got] == [b"\x00", b"\x01", b"\x02"]
        finally:
            await bus.close()

    asyncio.run(run())


async def _publish_until_acked(bus: Bus, subject: str, payload: bytes, msg_id: str, give_up: float) -> bool:
    """Publish as a collector does: retry the same id until acknowledged or out of time."""
    while time.monotonic() < give_up:
        try:
            await bus.publish(subject, payload, msg_id)
            return True
        except BusError:
            await asyncio.sleep(0.1)
    return False


async def _drain_with_retries(bus: Bus, expect: int, deadline: float) -> dict[str, bytes]:
    consumer = bus.consumer("workers")
    seen: dict[str, bytes] = {}
    while len(seen) < expect and time.monotonic() < deadline:
        try:
            batch = await consumer.fetch(200, timeout=1)
            for message in batch:
                assert message.msg_id is not None
                seen[message.msg_id] = message.payload
                await message.ack()
        except BusError:
            await asyncio.sleep(0.2)
    return seen


def test_server_restart_loses_no_acknowledged_message(nats_server: NatsNode) -> None:
    url, subject = _stream_url(nats_server.url, timeout=2)

    async def run() -> None:
        bus = await open_bus(url)
        try:
            deadline = time.monotonic() + 30
            acked = []
            for i in range(200):
                if i == 100:
                    nats_server.restart()
                msg_id = f"id-{i}"
                if await _publish_until_acked(bus, subject, msg_id.encode(), msg_id, deadline):
                    acked.append(msg_id)
            assert len(acked) == 200, "the client reconnects after a restart"
            seen = await _drain_with_retries(bus, len(acked), time.monotonic() + 20)
            assert set(acked) <= set(seen)
            assert all(seen[i] == i.encode() for i in acked)
        finally:
            await bus.close()

    asyncio.run(run())


def test_cluster_leader_killed_during_ingestion_loses_no_acknowledged_message(
    nats_cluster: NatsCluster,
) -> None:
    url, subject = _stream_url(nats_cluster.url, replicas=3, timeout=2)
    stream = url.split("stream=", 1)[1].split("&", 1)[0]
    total = 600

    async def run() -> None:
        bus = await open_bus(url)
        try:
            deadline = time.monotonic() + 40
            acked: list[str] = []
            for i in range(total):
                if i == total // 2:
                    # Killing the stream's leader is the worst case: a new one must be elected
                    # from the replicas while publishes are in flight.
                    nats_cluster.kill(nats_cluster.stream_leader(stream))
                msg_id = f"id-{i}"
                if await _publish_until_acked(bus, subject, f"batch {i}".encode(), msg_id, deadline):
                    acked.append(msg_id)
            # Two of three replicas form a quorum, so ingestion goes on after the election.
            assert len(acked) == total
            seen = await _drain_with_retries(bus, len(acked), time.monotonic() + 20)
            lost = set(acked) - set(seen)
            assert not lost, f"{len(lost)} acknowledged messages lost, e.g. {sorted(lost)[:5]}"
            assert all(seen[m] == f"batch {m.removeprefix('id-')}".encode() for m in acked)
        finally:
            await bus.close()

    asyncio.run(run())
