"""Behaviour across workers: each tenant judged against its own baseline, verdicts over merged state."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from detectors.behaviour_traffic import Traffic, user_token
from tracehound.bus.base import open_bus
from tracehound.classifiers.engine import SensitiveDataEngine
from tracehound.cluster.analyzer import analyze_tenant
from tracehound.cluster.batch import encode_messages, subject_for
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.worker import Worker
from tracehound.config import Settings
from tracehound.profiles.behaviour import STATE_NAME, decode_state
from tracehound.sources.ndjson import encode_ndjson
from tracehound.store import open_store
from tracehound.store.base import Store

pytestmark = pytest.mark.anyio

ABUSER = "203.0.113.66"
NORMAL = [f"10.0.0.{i}" for i in range(1, 7)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/w.db")
    for tenant in ("acme", "globex"):
        s.create_tenant(tenant)
    yield s
    s.close()


def bola_traffic() -> Traffic:
    t = Traffic()
    owned = {u: [f"{7000 + u * 37 + i * 3}" for i in range(8)] for u in range(len(NORMAL))}
    for u, address in enumerate(NORMAL):
        token = user_token(f"user{u}")
        for _ in range(2):
            for order in owned[u]:
                t.add("GET", f"/api/orders/{order}", token=token, client=address, response={"id": order})
    thief = user_token("mallory")
    for u in owned:
        t.add("GET", f"/api/orders/{owned[u][0]}", token=thief, client=ABUSER, response={"id": 1})
    return t


async def test_bola_is_found_over_the_state_two_workers_merged(store: Store) -> None:
    bus = await open_bus("memory://?ack_wait=2")
    lines = [encode_ndjson(tx).rstrip(b"\n") for tx in bola_traffic().items]
    for i in range(0, len(lines), 10):  # many small messages, so both workers take a share
        for payload in encode_messages("acme", lines[i : i + 10], 1 << 20):
            await bus.publish(subject_for("acme"), payload, f"acme-{i}")
    workers = [Worker(bus, store, Settings(), Metrics(), name=f"w{i}") for i in range(2)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    consumer = bus.consumer("workers")
    for _ in range(400):
        if await consumer.pending() == 0:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*tasks)
    await bus.close()

    state = decode_state(store.get_state("acme", STATE_NAME))
    assert state.endpoints, "workers persisted the behaviour state"
    assert decode_state(store.get_state("globex", STATE_NAME)).endpoints == {}
    report = analyze_tenant(store, Settings(), "acme", SensitiveDataEngine())
    bola = [f for f in report["findings"] if f["type"] == "bola"]
    assert bola and ABUSER in bola[0]["clients"]
    assert not set(bola[0]["clients"]) & set(NORMAL)
    assert not [f for f in analyze_tenant(store, Settings(), "globex", SensitiveDataEngine())["findings"]]
