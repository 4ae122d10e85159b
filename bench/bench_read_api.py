"""Read API latency on a tenant with 10,000 endpoints, for SQLite and PostgreSQL.

Why: issue 5 sets a goal of p95 < 50 ms for listing a big tenant's endpoints. The read API pages
the published inventory in SQL, so latency should not grow with the tenant. This bench publishes
a synthetic report of N endpoints (realistic entries: parameters, schemas, sensitive data, risk),
starts ``tracehound api`` as its own process (a real uvicorn on loopback), and times sequential
requests from this process with one keep-alive connection. Figures are printed, never asserted.

    PYTHONPATH=src .venv/bin/python bench/bench_read_api.py                  # SQLite + PostgreSQL
    PYTHONPATH=src .venv/bin/python bench/bench_read_api.py --requests 1000
    PYTHONPATH=src .venv/bin/python bench/bench_read_api.py --postgres postgresql://user@host/db

Without ``--postgres`` a throwaway PostgreSQL is started from the machine's binaries (as the tests
do); without binaries the PostgreSQL half is skipped with a message.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tracehound.store import open_store
from tracehound.store.base import EndpointQuery

ROOT = Path(__file__).resolve().parent.parent
SENSITIVE = ["email", "phone_number", "credit_card", "us_ssn", "iban", "ip_address", "person_name", "jwt"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"]


def synth_endpoint(rng: random.Random, i: int) -> dict[str, Any]:
    depth = rng.randint(1, 4)
    segs = [rng.choice(["users", "orders", "items", "carts", "invoices", "files"]) + str(i)]
    segs += [rng.choice(["{id}", "history", "notes", "{itemId}", "lines"]) for _ in range(depth - 1)]
    count = rng.randint(1, 100_000)
    props = {f"field{k}": {"type": rng.choice(["string", "integer", "boolean"])} for k in range(rng.randint(2, 12))}
    sens = rng.sample(SENSITIVE, rng.randint(0, 3))
    return {
        "method": rng.choice(METHODS),
        "path": "/" + "/".join(segs),
        "count": count,
        "first_seen": "2026-11-25T10:00:00Z",
        "last_seen": f"2026-11-25T1{rng.randint(0, 9)}:{rng.randint(10, 59)}:00Z",
        "status": {"200": count - count // 10, "404": count // 10},
        "latency_ms": {"p50": 12.0, "p95": 40.5, "p99": 80.1},
        "auth": ["bearer"],
        "parameters": [
            {"name": "id", "in": "path", "type": "integer", "format": "int64", "required": True},
            {"name": "expand", "in": "query", "type": "string", "format": None, "required": False},
        ],
        "request_body": None,
        "request_media_types": ["application/json"],
        "responses": {"200": {"type": "object", "properties": props}},
        "sensitive": [{"location": f"response.body.{t}", "type": t, "count": count // 2} for t in sens],
        "origin": "observed",
        "risk": {"score": rng.randint(0, 100), "factors": [{"name": "sensitive_data", "points": 10}]},
    }


def synth_report(n: int, services: int = 20, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    per = [[] for _ in range(services)]  # type: list[list[dict[str, Any]]]
    for i in range(n):
        per[i % services].append(synth_endpoint(rng, i))
    return {
        "version": 1,
        "summary": {"transactions": 0, "rejected": 0, "services": services, "endpoints": n, "findings": 0},
        "services": [{"name": f"svc{s}.example.com", "endpoints": eps} for s, eps in enumerate(per)],
        "findings": [],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def api_process(store_url: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tracehound.cli.main import main; main()",
            "api",
            "--store",
            store_url,
            "--listen",
            f"127.0.0.1:{port}",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError("tracehound api exited at start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), qs[94], qs[98]


def time_requests(client: httpx.Client, url: str, n: int) -> list[float]:
    for _ in range(min(20, n)):
        client.get(url).raise_for_status()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
    return out


def bench(label: str, store_url: str, n_endpoints: int, requests: int) -> None:
    store = open_store(store_url)
    store.ensure_tenant("bench")
    key = store.create_key("bench", "read")[1]
    report = synth_report(n_endpoints)
    t0 = time.perf_counter()
    store.replace_inventory("bench", report)
    publish_s = time.perf_counter() - t0
    first_id = store.query_endpoints("bench", EndpointQuery(limit=1))
    eid = first_id.items[0]["id"]
    store.close()
    print(f"\n{label}: {n_endpoints} endpoints published in {publish_s:.2f}s; {requests} sequential requests each")
    queries = [
        ("GET /v1/endpoints?limit=50&sort=risk", "/v1/endpoints?limit=50&sort=risk"),
        ("  ... &sort=count&offset=5000", "/v1/endpoints?limit=50&sort=count&offset=5000"),
        ("  ... &sort=path&sensitive=email", "/v1/endpoints?limit=50&sort=path&sensitive=email"),
        ("  ... &service=svc3.example.com&min_risk=50", "/v1/endpoints?limit=50&service=svc3.example.com&min_risk=50"),
        ("GET /v1/endpoints/{id}", f"/v1/endpoints/{eid}"),
        ("GET /v1/stats", "/v1/stats"),
    ]
    with api_process(store_url) as base, httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as c:
        for name, url in queries:
            samples = time_requests(c, url, requests)
            p50, p95, p99 = percentiles(samples)
            size = len(c.get(url).content)
            print(f"  {name:<48} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms  ({size / 1024:.0f} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--endpoints", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", metavar="URL", help="an existing database (else a throwaway server)")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.endpoints, args.requests)

    if args.skip_postgres:
        return
    if args.postgres:
        bench("PostgreSQL", args.postgres, args.endpoints, args.requests)
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import PostgresServer, find_postgres_bindir

    bindir = find_postgres_bindir()
    if bindir is None:
        print("\nPostgreSQL: skipped (no server binaries; pass --postgres URL)")
        return
    server = PostgresServer(bindir)
    try:
        server.init()
        server.start()
        bench("PostgreSQL", server.create_database("bench"), args.endpoints, args.requests)
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
