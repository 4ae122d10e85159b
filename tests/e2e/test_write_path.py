"""The write path with real servers: NATS JetStream (single node and a 3-node cluster), PostgreSQL,
and Tracehound services as separate processes that the tests kill and restart."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e._procs import Service, post_until_accepted, start_collector, wait_until
from e2e._traffic import ndjson_batches
from e2e.conftest import bus_url, unique
from servers import NatsCluster, PostgresServer, free_ports
from tracehound.bus.base import open_bus
from tracehound.classifiers.engine import SensitiveDataEngine
from tracehound.cluster.analyzer import LEASE, analyze_tenant
from tracehound.cluster.batch import encode_messages, parse_ndjson, subject_for, traffic_prefix
from tracehound.config import Settings
from tracehound.errors import StoreError
from tracehound.profiles.endpoint import ENDPOINT_ENCODER
from tracehound.profiles.findings import FINDING_ENCODER
from tracehound.store import open_store
from tracehound.store.base import INSTALLATION, Store

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def publish_direct(bus: str, tenant: str, bodies: list[bytes]) -> None:
    """What a collector publishes, without HTTP (for tests about workers)."""

    async def go() -> None:
        b = await open_bus(bus)
        try:
            for i, body in enumerate(bodies):
                for j, payload in enumerate(encode_messages(tenant, parse_ndjson(body), 1 << 19)):
                    await b.publish(subject_for(tenant, traffic_prefix(bus)), payload, f"{tenant}-{i}-{j}")
        finally:
            await b.close()

    asyncio.run(go())


def workers(tmp_path: Path, bus: str, store: str, count: int, prefix: str = "worker") -> list[Service]:
    return [Service(tmp_path, f"{prefix}{i}", ["worker", "--bus", bus, "--store", store]) for i in range(count)]


def total(store: Store, tenant: str) -> int:
    try:
        return store.totals(tenant)[0]
    except StoreError:
        return -1


def state(store: Store, tenant: str) -> tuple[Any, ...]:
    endpoints = {k: ENDPOINT_ENCODER.encode(v) for k, v in store.load_endpoints(tenant).items()}
    findings = {k: FINDING_ENCODER.encode(v) for k, v in store.load_findings(tenant).items()}
    report = analyze_tenant(store, Settings(), tenant, SensitiveDataEngine())
    return endpoints, findings, store.totals(tenant), json.dumps(report["services"]), json.dumps(report["findings"])


def test_one_worker_and_three_workers_end_in_identical_inventories(
    tmp_path: Path, nats_server: Any, postgres_server: PostgresServer
) -> None:
    bodies = ndjson_batches(3000, 100)
    states = []
    for count in (1, 3):
        bus = bus_url(nats_server.url)
        db = postgres_server.create_database(unique("same"))
        store = open_store(db)
        # Two installations tag secrets under different keys; one key makes the runs comparable.
        store.put_state(INSTALLATION, "redaction_key", b"k" * 32)
        publish_direct(bus, "acme", bodies)
        procs = workers(tmp_path, bus, db, count, prefix=f"w{count}-")
        try:
            wait_until(lambda s=store: total(s, "acme") == 3000, 60, f"{count} worker(s) to fold everything", procs)
        finally:
            for p in procs:
                assert p.stop() == 0, p.log()
        states.append(state(store, "acme"))
        store.close()
    assert states[0][2] == (3000, 0)
    assert states[0] == states[1]
    assert states[0][1], "the traffic has findings"


def test_a_worker_sigkilled_mid_stream_loses_and_double_counts_nothing(
    tmp_path: Path, nats_bus: str, pg_url: str, store: Store
) -> None:
    publish_direct(nats_bus, "acme", ndjson_batches(6000, 50))
    victim, survivor = workers(tmp_path, nats_bus, pg_url, 2)
    procs = [survivor]
    try:
        wait_until(lambda: total(store, "acme") >= 600, 45, "progress", [victim, survivor])
        victim.kill()
        assert total(store, "acme") < 6000, "the kill must happen mid-stream"
        replacement = workers(tmp_path, nats_bus, pg_url, 1, prefix="replacement")[0]
        procs.append(replacement)
        wait_until(lambda: total(store, "acme") >= 6000, 60, "the rest", [survivor, replacement])
        time.sleep(4)  # past the ack wait: any redelivery of the victim's batches has come back
        assert total(store, "acme") == 6000
    finally:
        for p in procs:
            p.stop()


def test_a_jetstream_node_killed_during_ingestion_loses_no_acknowledged_transaction(
    tmp_path: Path, nats_cluster: NatsCluster, cluster_bus: str, pg_url: str, store: Store
) -> None:
    store.create_tenant("acme")
    key = store.create_key("acme", "ingest")[1]
    collector, url = start_collector(tmp_path, cluster_bus, pg_url)
    procs = [collector, *workers(tmp_path, cluster_bus, pg_url, 2)]
    bodies = ndjson_batches(4000, 100)
    accepted = 0
    try:
        for i, body in enumerate(bodies):
            if i == 10:
                nats_cluster.kill(nats_cluster.stream_leader(cluster_bus.split("stream=")[1].split("&")[0]))
            accepted += post_until_accepted(url, key, body)["accepted"]
        assert accepted == 4000
        wait_until(lambda: total(store, "acme") >= 4000, 60, "every acknowledged transaction", procs)
        time.sleep(3)
        assert total(store, "acme") == 4000
    finally:
        for p in procs:
            p.stop()


def test_postgres_restarted_during_ingestion_workers_retry_and_catch_up(
    tmp_path: Path, nats_bus: str, postgres_server: PostgresServer, pg_url: str, store: Store
) -> None:
    store.create_tenant("acme")
    key = store.create_key("acme", "ingest")[1]
    collector, url = start_collector(tmp_path, nats_bus, pg_url)
    procs = [collector, *workers(tmp_path, nats_bus, pg_url, 2)]
    bodies = ndjson_batches(4000, 100)
    try:
        for i, body in enumerate(bodies):
            if i == 15:
                postgres_server.restart()
            post_until_accepted(url, key, body)
        wait_until(lambda: total(store, "acme") >= 4000, 60, "the workers to catch up", procs)
        time.sleep(2)
        assert total(store, "acme") == 4000
        assert all(p.alive() for p in procs)
    finally:
        for p in procs:
            p.stop()


def test_the_standby_analyzer_takes_over_when_the_active_one_dies(tmp_path: Path, pg_url: str, store: Store) -> None:
    store.create_tenant("acme")
    env = {"TRACEHOUND_SERVER__ANALYZER__INTERVAL_S": "0.5", "TRACEHOUND_SERVER__ANALYZER__LEASE_TTL_S": "2"}
    ports = free_ports(2)
    analyzers = [
        Service(tmp_path, f"analyzer{i}", ["analyzer", "--store", pg_url, "--listen", f"127.0.0.1:{p}"], env)
        for i, p in enumerate(ports)
    ]
    try:
        holder = wait_until(lambda: store.lease_holder(LEASE), 30, "an active analyzer", analyzers)
        # The lease can be taken before the other process's HTTP listener is up.
        wait_until(lambda: all(_answers(p) for p in ports), 30, "both analyzers to listen", analyzers)
        active = next(a for a in analyzers if holder.endswith(f":{a.pid}"))
        standby = next(a for a in analyzers if a is not active)
        port = ports[analyzers.index(standby)]
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert "tracehound_analyzer_active 0.0" in metrics
        active.kill()
        killed_at = time.monotonic()
        wait_until(lambda: (store.lease_holder(LEASE) or "").endswith(f":{standby.pid}"), 15, "the takeover", [standby])
        assert time.monotonic() - killed_at < 10
        assert "tracehound_analyzer_active 1.0" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
        # the new active one publishes inventories: new data shows up
        store.apply_delta("acme", {}, {}, {}, "S", [1], 5, 0)
        wait_until(lambda: store.inventory_stats("acme")["transactions"] == 5, 10, "a cycle", [standby])
    finally:
        for a in analyzers:
            a.stop()


def test_keys_sizes_and_bodies_get_their_status_and_store_nothing(
    tmp_path: Path, nats_bus: str, pg_url: str, store: Store
) -> None:
    for tenant in ("acme", "globex"):
        store.create_tenant(tenant)
    acme_ingest = store.create_key("acme", "ingest")[1]
    acme_read = store.create_key("acme", "read")[1]
    revoked_id, revoked = store.create_key("globex", "ingest")
    store.revoke_key(revoked_id)
    collector, url = start_collector(tmp_path, nats_bus, pg_url)
    procs = [collector, *workers(tmp_path, nats_bus, pg_url, 1)]
    body = ndjson_batches(10, 10)[0]

    def post(data: bytes, key: str | None, **headers: str) -> int:
        h = {"Content-Type": "application/x-ndjson", **headers}
        if key:
            h["Authorization"] = f"Bearer {key}"
        return httpx.post(f"{url}/v1/traffic", content=data, headers=h, timeout=10).status_code

    try:
        assert post(body, None) == 401
        assert post(body, "th_wrong_key") == 401
        assert post(body, revoked) == 401
        assert post(body, acme_read) == 403
        assert post(b"x" * (17 * 1024 * 1024), acme_ingest) == 413
        assert post(b'{"v": 1}\n', acme_ingest) == 400
        # tenant A's key writes A's data, whatever the request claims
        assert post(body, acme_ingest, **{"X-Tenant": "globex"}) == 202
        wait_until(lambda: total(store, "acme") == 10, 30, "the accepted batch", procs)
        time.sleep(1)
        assert store.totals("acme") == (10, 0)
        assert store.totals("globex") == (0, 0)
        assert store.load_endpoints("globex") == {}
        metrics = httpx.get(f"{url}/metrics").text
        assert 'tracehound_rejected_total{reason="unauthenticated"} 3.0' in metrics
        assert httpx.get(f"{url}/readyz").status_code == 200
    finally:
        for p in procs:
            assert p.stop() == 0, p.log()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
