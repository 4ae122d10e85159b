"""End-to-end worker throughput on real NATS JetStream and PostgreSQL, with 1 and 2 workers (the scaling ratio).

    .venv/bin/python bench/bench_cluster.py [--transactions 20000] [--batch 200]

For each worker count: a fresh stream and database, the traffic published as collector batches,
then ``tracehound worker`` processes started together; the time from their start until the store
has counted every transaction gives tx/s. The ratio 2-workers/1-worker is the figure to watch
(ideal 2.0 on a machine with 2 free cores).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from e2e._traffic import ndjson_batches  # noqa: E402
from servers import NatsNode, PostgresServer, find_nats_server, find_postgres_bindir, free_ports  # noqa: E402
from tracehound.bus.base import open_bus  # noqa: E402
from tracehound.cluster.batch import encode_messages, parse_ndjson, subject_for, traffic_prefix  # noqa: E402
from tracehound.store import open_store  # noqa: E402


async def publish(bus_url: str, bodies: list[bytes]) -> None:
    bus = await open_bus(bus_url)
    for i, body in enumerate(bodies):
        for payload in encode_messages("bench", parse_ndjson(body), 1 << 19):
            await bus.publish(subject_for("bench", traffic_prefix(bus_url)), payload, f"b{i}")
    await bus.close()


def run(count: int, nats: NatsNode, pg: PostgresServer, bodies: list[bytes], total: int, tmp: Path) -> float:
    name = f"BENCH{count}"
    bus = f"{nats.url}?stream={name}&subjects={name.lower()}.>&max_msgs=-1&max_bytes=-1"
    db = pg.create_database(f"bench{count}")
    store = open_store(db)
    asyncio.run(publish(bus, bodies))
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracehound.cli.main", "worker", "--bus", bus, "--store", db],
            stdout=open(tmp / f"w{count}-{i}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        for i in range(count)
    ]
    try:
        while store.totals("bench")[0] < total:
            time.sleep(0.05)
        return total / (time.perf_counter() - started)
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transactions", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=200)
    args = ap.parse_args()
    binary, bindir = find_nats_server(), find_postgres_bindir()
    if binary is None or bindir is None:
        sys.exit("needs nats-server and PostgreSQL binaries (see tests/servers.py)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    port, http_port = free_ports(2)
    nats = NatsNode(binary, tmp, "bench", port, http_port)
    nats.start()
    pg = PostgresServer(bindir)
    pg.init()
    pg.start()
    try:
        bodies = ndjson_batches(args.transactions, args.batch)
        rates = {n: run(n, nats, pg, bodies, args.transactions, tmp) for n in (1, 2)}
        print(f"bench_cluster: {args.transactions} transactions in batches of {args.batch}, NATS + PostgreSQL")
        for n, rate in rates.items():
            print(f"  {n} worker(s): {rate:,.0f} tx/s (includes process start-up)")
        print(f"  scaling ratio 2/1: {rates[2] / rates[1]:.2f}")
    finally:
        nats.stop()
        pg.cleanup()


if __name__ == "__main__":
    main()
