"""The store contract, one suite run against SQLite and a real PostgreSQL server.

Whatever adapter a deployment picks, merges accumulate, a redelivered delta is applied once even
with writers racing from threads, one lease holder at a time, keys are stored hashed and revoked
keys stop working, and the published inventory answers the read API's queries per tenant.
"""

from __future__ import annotations

import hmac
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servers import PostgresServer
from tracehound.errors import StoreError
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.store import _keys, open_store
from tracehound.store.base import EndpointKey, EndpointQuery, FindingKey, FindingQuery, Store, installation_key

KEY = EndpointKey("api.example.com", "GET", "/users/{int}")
KEY2 = EndpointKey("api.example.com", "POST", "/orders")
FKEY = FindingKey("sqli", "api.example.com", "GET", "/users/{int}", "request.query.q")
_db_names = itertools.count()


def profile(count: int) -> EndpointProfile:
    p = EndpointProfile()
    p.count = count
    p.statuses = {"200": count}
    return p


def finding(n: int = 1) -> FindingStats:
    stats = FindingStats()
    for _ in range(n):
        stats.add("high", 1.0, "203.0.113.1", "q=1' or 1=1")
    return stats


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"contract_{next(_db_names)}_{int(time.time() * 1000) % 10**8}")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.close()


def database_bytes(store: Store, store_url: str) -> bytes:
    """Everything the store holds about keys, as the database sees it."""
    if store_url.startswith("sqlite"):
        return Path(store_url[len("sqlite:///") :]).read_bytes() + b"".join(
            p.read_bytes() for p in Path(store_url[len("sqlite:///") :]).parent.glob("*-wal")
        )
    import psycopg

    with psycopg.connect(store_url) as conn:
        rows = conn.execute("SELECT * FROM api_keys").fetchall()
    return repr(rows).encode()


# -- merges ----------------------------------------------------------------------------------------


def test_merges_accumulate(store: Store) -> None:
    store.merge_endpoints("acme", {KEY: profile(2), KEY2: profile(1)})
    store.merge_endpoints("acme", {KEY: profile(3)})
    loaded = store.load_endpoints("acme")
    assert loaded[KEY].count == 5 and loaded[KEY].statuses == {"200": 5}
    assert loaded[KEY2].count == 1
    store.merge_findings("acme", {FKEY: finding()})
    store.merge_findings("acme", {FKEY: finding(2)})
    assert store.load_findings("acme")[FKEY].count == 3
    assert store.load_endpoints("other") == {}


def test_state_runs_totals_and_clear(store: Store) -> None:
    assert store.get_state("acme", "x") is None
    store.put_state("acme", "x", b"\x00\x01")
    store.put_state("acme", "x", b"\x02")
    assert store.get_state("acme", "x") == b"\x02"
    run = store.start_run("acme", ["a.har"])
    store.finish_run(run, 10, 2, [("a.har", 3, "invalid JSON")])
    assert store.totals("acme") == (10, 2)
    store.apply_delta("acme", {}, {}, {}, "s", [1], 5, 1)
    assert store.totals("acme") == (15, 3)
    store.merge_endpoints("acme", {KEY: profile(1)})
    store.clear("acme")
    assert store.totals("acme") == (0, 0)
    assert store.load_endpoints("acme") == {}
    assert store.get_state("acme", "x") is None


# -- apply_delta -----------------------------------------------------------------------------------


def concat(name: str, old: bytes | None, new: bytes) -> bytes:
    return (old or b"") + new


def test_apply_delta_merges_everything_in_one_go(store: Store) -> None:
    ok = store.apply_delta("acme", {KEY: profile(2)}, {FKEY: finding()}, {"w": b"a"}, "traffic", [1, 2], 2, 0, concat)
    assert ok
    assert store.apply_delta("acme", {KEY: profile(1)}, {}, {"w": b"b"}, "traffic", [3], 1, 1, concat)
    assert store.load_endpoints("acme")[KEY].count == 3
    assert store.load_findings("acme")[FKEY].count == 1
    assert store.get_state("acme", "w") == b"ab"
    assert store.totals("acme") == (3, 1)
    assert store.applied("traffic", [1, 2, 3, 4]) == {1, 2, 3}
    assert store.applied("other", [1]) == set()


def test_apply_delta_with_a_redelivered_seq_changes_nothing(store: Store) -> None:
    assert store.apply_delta("acme", {KEY: profile(2)}, {}, {"w": b"a"}, "traffic", [1, 2], 2, 0)
    assert not store.apply_delta("acme", {KEY: profile(5)}, {FKEY: finding()}, {"w": b"z"}, "traffic", [2, 3], 5, 0)
    assert store.load_endpoints("acme")[KEY].count == 2
    assert store.load_findings("acme") == {}
    assert store.get_state("acme", "w") == b"a"
    assert store.totals("acme") == (2, 0)
    assert store.applied("traffic", [3]) == set(), "the rolled back delta must not mark seq 3 applied"
    # the caller re-folds without the applied seq and succeeds
    assert store.apply_delta("acme", {KEY: profile(1)}, {}, {}, "traffic", [3], 1, 0)
    assert store.load_endpoints("acme")[KEY].count == 3
    assert store.prune_applied("traffic", 3) == 2
    assert store.applied("traffic", [1, 2, 3]) == {3}


def test_concurrent_writers_count_each_message_once(store: Store) -> None:
    """Eight threads race to apply overlapping deltas: every seq is counted exactly once."""
    seqs = list(range(200))
    applied_by: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for seq in seqs[offset:] + seqs[:offset]:
                if store.apply_delta(
                    "acme",
                    {KEY: profile(1), EndpointKey("api.example.com", "GET", f"/p{seq % 7}"): profile(1)},
                    {FKEY: finding()},
                    {},
                    "traffic",
                    [seq],
                    1,
                    0,
                ):
                    with lock:
                        applied_by.append(seq)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i * 25,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(applied_by) == seqs
    assert store.load_endpoints("acme")[KEY].count == len(seqs)
    assert store.load_findings("acme")[FKEY].count == len(seqs)
    assert sum(p.count for k, p in store.load_endpoints("acme").items() if k != KEY) == len(seqs)
    assert store.totals("acme") == (len(seqs), 0)


def test_concurrent_plain_merges_lose_nothing(store: Store) -> None:
    def writer() -> None:
        for _ in range(30):
            store.merge_endpoints("acme", {KEY: profile(1), KEY2: profile(2)})

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loaded = store.load_endpoints("acme")
    assert loaded[KEY].count == 180 and loaded[KEY2].count == 360


# -- leases ----------------------------------------------------------------------------------------


def test_a_lease_has_one_holder_until_it_expires_or_is_released(store: Store) -> None:
    assert store.acquire_lease("analyzer", "a", 0.5)
    assert not store.acquire_lease("analyzer", "b", 0.5)
    assert store.acquire_lease("analyzer", "a", 0.5), "the holder renews"
    assert store.lease_holder("analyzer") == "a"
    time.sleep(0.7)
    assert store.lease_holder("analyzer") is None
    assert store.acquire_lease("analyzer", "b", 5)
    assert not store.acquire_lease("analyzer", "a", 5)
    store.release_lease("analyzer", "a")  # not the holder: no effect
    assert store.lease_holder("analyzer") == "b"
    store.release_lease("analyzer", "b")
    assert store.acquire_lease("analyzer", "a", 5)


def test_racing_candidates_get_one_lease(store: Store) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(6)

    def candidate(name: str) -> None:
        barrier.wait()
        if store.acquire_lease("analyzer", name, 30):
            winners.append(name)

    threads = [threading.Thread(target=candidate, args=(f"c{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_racing_processes_agree_on_one_installation_key(store: Store) -> None:
    """Workers of a new cluster start together; each must tag a secret the same way."""
    keys: list[bytes] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        barrier.wait()
        keys.append(installation_key(store))

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 6 and len(set(keys)) == 1 and len(keys[0]) == 32
    assert store.add_state("acme", "x", b"first") == b"first"
    assert store.add_state("acme", "x", b"second") == b"first"


# -- tenants and keys ------------------------------------------------------------------------------


def test_tenants_are_created_once(store: Store) -> None:
    store.create_tenant("acme")
    with pytest.raises(StoreError, match="already exists"):
        store.create_tenant("acme")
    store.ensure_tenant("acme")
    store.ensure_tenant("globex")
    assert [t.name for t in store.list_tenants()] == ["acme", "globex"]
    with pytest.raises(StoreError, match="invalid tenant name"):
        store.create_tenant("bad name; drop table")


def test_keys_are_stored_hashed_and_shown_once(store: Store, store_url: str) -> None:
    store.create_tenant("acme")
    key_id, key = store.create_key("acme", "read")
    assert key.startswith(f"th_{key_id}_")
    secret = key.split("_", 2)[2]
    assert len(secret) >= 43
    info = store.authenticate(key)
    assert info is not None and (info.tenant, info.role, info.key_id) == ("acme", "read", key_id)
    listed = store.list_keys("acme")
    assert [(k.key_id, k.role, k.revoked) for k in listed] == [(key_id, "read", None)]
    assert secret not in repr(listed)
    raw = database_bytes(store, store_url)
    assert secret.encode() not in raw and key.encode() not in raw
    assert _keys.hash_secret(secret).encode() in raw


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),
        lambda k: "",
        lambda k: "Bearer " + k,
        lambda k: k.replace("th_", "tx_"),
        lambda k: "th_0123456789abcdef_" + "A" * 43,
        lambda k: k + "x",
    ],
)
def test_wrong_keys_are_rejected(store: Store, mangle: Any) -> None:
    store.create_tenant("acme")
    _, key = store.create_key("acme", "admin")
    assert store.authenticate(mangle(key)) is None


def test_revoked_keys_are_rejected_and_unknown_roles_refused(store: Store) -> None:
    store.create_tenant("acme")
    key_id, key = store.create_key("acme", "ingest")
    assert store.revoke_key(key_id)
    assert not store.revoke_key(key_id)
    assert store.authenticate(key) is None
    assert store.list_keys()[0].revoked is not None
    with pytest.raises(StoreError, match="unknown role"):
        store.create_key("acme", "root")
    with pytest.raises(StoreError, match="unknown tenant"):
        store.create_key("nobody", "read")


def test_the_secret_is_compared_in_constant_time(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create_tenant("acme")
    _, key = store.create_key("acme", "read")
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(_keys.hmac, "compare_digest", spy)
    assert store.authenticate(key) is not None
    assert store.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert len(calls) == 2


# -- published inventory ---------------------------------------------------------------------------


def endpoint(method: str, path: str, risk: int, count: int, sensitive: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "method": method,
        "path": path,
        "count": count,
        "first_seen": "2026-11-25T10:00:00Z",
        "last_seen": f"2026-11-25T10:{count % 60:02d}:00Z",
        "status": {"200": count},
        "latency_ms": None,
        "auth": [],
        "parameters": [],
        "request_body": None,
        "request_media_types": [],
        "responses": {},
        "sensitive": [{"location": "response.body.email", "type": t, "count": 1} for t in sensitive],
        "origin": "observed",
        "risk": {"score": risk, "factors": []},
    }


def report(prefix: str = "") -> dict[str, Any]:
    return {
        "version": 1,
        "summary": {"transactions": 99, "rejected": 0, "services": 2, "endpoints": 4, "findings": 2},
        "services": [
            {
                "name": f"{prefix}api.example.com",
                "endpoints": [
                    endpoint("GET", "/users/{userId}", 70, 10, ["email", "phone_number"]),
                    endpoint("POST", "/orders", 20, 50, ["credit_card"]),
                    endpoint("GET", "/health", 0, 500),
                ],
            },
            {"name": f"{prefix}admin.example.com", "endpoints": [endpoint("DELETE", "/users/{userId}", 90, 1)]},
        ],
        "findings": [
            {
                "type": "sqli",
                "severity": "high",
                "owasp": "API8:2023",
                "service": f"{prefix}api.example.com",
                "method": "GET",
                "path": "/users/{userId}",
                "location": "request.query.q",
                "count": 3,
                "first_seen": "2026-11-25T10:00:00Z",
                "last_seen": "2026-11-25T11:00:00Z",
                "clients": ["203.0.113.9"],
                "evidence": "q=1' OR '1'='1",
            },
            {
                "type": "bola",
                "severity": "medium",
                "owasp": "API1:2023",
                "service": f"{prefix}admin.example.com",
                "method": "DELETE",
                "path": "/users/{userId}",
                "location": "request.path.userId",
                "count": 1,
                "first_seen": "2026-11-26T10:00:00Z",
                "last_seen": "2026-11-26T10:00:00Z",
                "clients": [],
                "evidence": "",
            },
        ],
    }


def test_published_inventory_is_queried_with_filters_sort_and_pages(store: Store) -> None:
    store.replace_inventory("acme", report(), {"api.example.com": {"openapi": "3.1.0", "paths": {}}})
    page = store.query_endpoints("acme", EndpointQuery())
    assert page.total == 4
    assert [e["risk"]["score"] for e in page.items] == [90, 70, 20, 0]
    first = page.items[0]
    assert first["service"] == "admin.example.com" and first["id"]
    assert store.get_endpoint("acme", first["id"]) == first
    assert [e["count"] for e in store.query_endpoints("acme", EndpointQuery(sort="count")).items] == [500, 50, 10, 1]
    assert [e["path"] for e in store.query_endpoints("acme", EndpointQuery(sort="path")).items][:2] == [
        "/health",
        "/orders",
    ]
    assert store.query_endpoints("acme", EndpointQuery(service="api.example.com")).total == 3
    assert store.query_endpoints("acme", EndpointQuery(method="get")).total == 2
    assert store.query_endpoints("acme", EndpointQuery(min_risk=50)).total == 2
    by_type = store.query_endpoints("acme", EndpointQuery(sensitive_type="email"))
    assert [e["path"] for e in by_type.items] == ["/users/{userId}"]
    paged = store.query_endpoints("acme", EndpointQuery(limit=2, offset=2))
    assert (paged.total, [e["risk"]["score"] for e in paged.items]) == (4, [20, 0])

    findings = store.query_findings("acme", FindingQuery())
    assert findings.total == 2 and findings.items[0]["type"] == "bola"  # most recent first
    assert store.query_findings("acme", FindingQuery(severity="high")).total == 1
    assert store.query_findings("acme", FindingQuery(type="bola", service="admin.example.com")).total == 1
    nov26 = 1_795_651_200.0  # 2026-11-26T00:00:00Z
    assert [f["type"] for f in store.query_findings("acme", FindingQuery(since=nov26)).items] == ["bola"]
    assert [f["type"] for f in store.query_findings("acme", FindingQuery(until=nov26)).items] == ["sqli"]
    fid = findings.items[0]["id"]
    assert store.get_finding("acme", fid) == findings.items[0]

    services = store.list_services("acme")
    assert [(s["name"], s["endpoints"], s["findings"], s["max_risk"]) for s in services] == [
        ("admin.example.com", 1, 1, 90),
        ("api.example.com", 3, 1, 70),
    ]
    assert store.service_openapi("acme", "api.example.com") == {"openapi": "3.1.0", "paths": {}}
    assert store.service_openapi("acme", "admin.example.com") is None
    stats = store.inventory_stats("acme")
    assert (stats["endpoints"], stats["findings"], stats["services"], stats["transactions"]) == (4, 2, 2, 0)


def test_republishing_replaces_and_tenants_stay_apart(store: Store) -> None:
    store.replace_inventory("acme", report())
    store.replace_inventory("globex", report("g."))
    ids = [e["id"] for e in store.query_endpoints("acme", EndpointQuery()).items]
    store.replace_inventory("acme", report())
    assert [e["id"] for e in store.query_endpoints("acme", EndpointQuery()).items] == ids, "ids are stable"
    assert store.query_endpoints("acme", EndpointQuery()).total == 4
    globex_id = store.query_endpoints("globex", EndpointQuery()).items[0]["id"]
    assert store.get_endpoint("acme", globex_id) is None
    assert store.get_endpoint("globex", ids[0]) is None
    assert store.service_openapi("acme", "g.api.example.com") is None
    assert store.query_endpoints("nobody", EndpointQuery()).total == 0
    assert store.inventory_stats("nobody")["endpoints"] == 0
    store.replace_inventory("acme", {"version": 1, "summary": {}, "services": [], "findings": []})
    assert store.query_endpoints("acme", EndpointQuery()).total == 0
    assert store.query_endpoints("globex", EndpointQuery()).total == 4


def test_open_store_rejects_unknown_urls(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported store URL"):
        open_store("mysql://x")
    with pytest.raises(StoreError, match="invalid store URL"):
        open_store("sqlite://relative.db")
    open_store(str(tmp_path / "bare.db")).close()


def test_applied_records_older_than_a_time_are_forgotten(store: Store) -> None:
    assert store.apply_delta("acme", {KEY: profile(1)}, {}, {}, "traffic", [7, 8], 1, 0)
    assert store.forget_applied_before(time.time() - 3600) == 0
    assert store.forget_applied_before(time.time() + 1) == 2
    assert store.applied("traffic", [7, 8]) == set()
    assert store.load_endpoints("acme")[KEY].count == 1, "forgetting records leaves the data alone"
