"""Workers over the in-process bus and a SQLite store: exactly-once commits, redeliveries, store outages."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e._traffic import ndjson_batches
from tracehound.bus.base import Bus, open_bus
from tracehound.cluster.batch import encode_messages, subject_for
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.worker import Worker, fold_batches
from tracehound.config import Settings
from tracehound.errors import StoreError
from tracehound.model.redaction import use_installation_key
from tracehound.profiles.endpoint import ENDPOINT_ENCODER
from tracehound.profiles.findings import FINDING_ENCODER
from tracehound.store import open_store
from tracehound.store.base import INSTALLATION, Store, installation_key

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path}/w.db")
    yield s
    s.close()


async def publish(bus: Bus, tenant: str, total: int, per_batch: int, seed: int = 7) -> int:
    for i, body in enumerate(ndjson_batches(total, per_batch, seed)):
        lines = [line for line in body.split(b"\n") if line]
        for payload in encode_messages(tenant, lines, 1 << 20):
            await bus.publish(subject_for(tenant), payload, f"{tenant}-{seed}-{i}")
    return total


async def run_workers(bus: Bus, store: Store, count: int, settings: Settings | None = None) -> list[Worker]:
    settings = settings or Settings()
    workers = [Worker(bus, store, settings, Metrics(), name=f"w{i}") for i in range(count)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    consumer = bus.consumer("workers")
    for _ in range(600):
        if await consumer.pending() == 0:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*tasks)
    return workers


def snapshot(store: Store, tenant: str) -> tuple[dict[Any, bytes], dict[Any, bytes], tuple[int, int]]:
    endpoints = {k: ENDPOINT_ENCODER.encode(v) for k, v in store.load_endpoints(tenant).items()}
    findings = {k: FINDING_ENCODER.encode(v) for k, v in store.load_findings(tenant).items()}
    return endpoints, findings, store.totals(tenant)


async def test_one_worker_and_three_workers_end_in_the_same_state(tmp_path: Path) -> None:
    results = []
    for count in (1, 3):
        store = open_store(f"sqlite:///{tmp_path}/n{count}.db")
        bus = await open_bus("memory://")
        await publish(bus, "acme", 600, 50)
        await run_workers(bus, store, count)
        results.append(snapshot(store, "acme"))
        store.close()
        await bus.close()
    assert results[0][2] == (600, 0)
    assert results[0] == results[1]
    assert results[0][1], "the traffic has findings"


async def test_tenants_are_folded_apart(store: Store) -> None:
    bus = await open_bus("memory://")
    await publish(bus, "acme", 100, 25)
    await publish(bus, "globex", 40, 20, seed=9)
    await run_workers(bus, store, 1)
    assert store.totals("acme") == (100, 0)
    assert store.totals("globex") == (40, 0)


async def test_a_redelivered_message_is_skipped_not_counted_twice(store: Store) -> None:
    bus = await open_bus("memory://?ack_wait=0.2")
    await publish(bus, "acme", 100, 25)
    consumer = bus.consumer("workers")
    # A worker that commits two batches and dies before acknowledging them:
    taken = await consumer.fetch(2, 0.1)
    fold = fold_batches(taken, lambda tenant: Worker(bus, store, Settings(), Metrics())._default_pipeline(tenant))
    f = fold["acme"]
    assert store.apply_delta("acme", f.deltas.endpoints, f.deltas.findings, {}, bus.stream, f.seqs, f.transactions, 0)
    await asyncio.sleep(0.3)  # past the ack wait: both come back
    workers = await run_workers(bus, store, 1)
    assert store.totals("acme") == (100, 0)
    assert workers[0].metrics.messages_redelivered._value.get() == 2


class FlakyStore:
    """The real SQLite store, failing ``fail`` apply_delta calls as a database outage would."""

    def __init__(self, inner: Store, fail: int, commit_then_fail: bool = False) -> None:
        self.inner = inner
        self.fail = fail
        self.commit_then_fail = commit_then_fail

    def apply_delta(self, *args: Any, **kwargs: Any) -> bool:
        if self.fail > 0:
            self.fail -= 1
            if self.commit_then_fail:  # the commit happened, the connection died before the answer
                self.inner.apply_delta(*args, **kwargs)
            raise StoreError("connection refused")
        return self.inner.apply_delta(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("commit_then_fail", [False, True])
async def test_store_outages_are_retried_without_loss_or_double_counting(store: Store, commit_then_fail: bool) -> None:
    bus = await open_bus("memory://")
    await publish(bus, "acme", 200, 20)
    flaky = FlakyStore(store, fail=3, commit_then_fail=commit_then_fail)
    workers = await run_workers(bus, flaky, 1)  # type: ignore[arg-type]
    assert store.totals("acme") == (200, 0)
    assert workers[0].metrics.store_errors._value.get() == (1 if commit_then_fail else 3)


async def test_stop_drains_what_a_worker_holds(store: Store) -> None:
    bus = await open_bus("memory://")
    await publish(bus, "acme", 300, 10)
    worker = Worker(bus, store, Settings(), Metrics())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    while store.totals("acme")[0] == 0:
        await asyncio.sleep(0.01)
    stop.set()
    await task
    done = store.totals("acme")[0]
    assert done % 10 == 0 and done > 0  # whole batches only: what was taken was committed and acked
    assert await bus.consumer("workers").pending() == (300 - done) // 10


def _login_lines(password: str) -> list[bytes]:
    lines = []
    for i in range(20):
        request = {
            "method": "POST",
            "url": "https://api.shop.test/login",
            "headers": [["Host", "api.shop.test"], ["Content-Type", "application/json"]],
            "body": json.dumps({"username": f"u{i}", "password": password}),
        }
        rec = {"v": 1, "time": 1_790_000_000 + i, "request": request, "response": {"status": 200}}
        lines.append(json.dumps(rec).encode())
    return lines


def _password_tags(store: Store, tenant: str) -> set[bytes]:
    data = b"".join(ENDPOINT_ENCODER.encode(v) for v in store.load_endpoints(tenant).values())
    return set(re.findall(rb"<password:[0-9a-f]{8}>", data))


async def test_secret_tags_are_keyed_per_tenant_and_agree_across_workers(tmp_path: Path) -> None:
    tags: dict[tuple[int, str], set[bytes]] = {}
    for count in (1, 3):
        store = open_store(f"sqlite:///{tmp_path}/k{count}.db")
        if count == 1:
            key = installation_key(store)
        else:
            store.add_state(INSTALLATION, "redaction_key", key)  # the same installation
        use_installation_key(installation_key(store))
        bus = await open_bus("memory://")
        for tenant in ("acme", "globex"):
            for payload in encode_messages(tenant, _login_lines("s3cr3t-Passw0rd-shared"), 1 << 20):
                await bus.publish(subject_for(tenant), payload, f"{tenant}-login")
        await run_workers(bus, store, count)
        for tenant in ("acme", "globex"):
            tags[count, tenant] = _password_tags(store, tenant)
        store.close()
        await bus.close()
    assert len(tags[1, "acme"]) == 1 and len(tags[1, "globex"]) == 1
    assert tags[1, "acme"] != tags[1, "globex"]  # one value, one tag per tenant
    assert tags[1, "acme"] == tags[3, "acme"] and tags[1, "globex"] == tags[3, "globex"]
