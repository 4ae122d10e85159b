"""Micro-benchmark of the normalize stage against msgspec.json.decode of the same bodies.

Run by hand: ``.venv/bin/python bench/bench_normalize.py``. It prints µs per transaction for
typical JSON requests (1-5 KB bodies, a few headers, a query and cookies) and the ratio to
decoding the request bodies alone, which is the floor any normalize could reach. A ratio is
stable across machines where absolute figures are not.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

import msgspec

from tracehound.model import Transaction
from tracehound.pipeline.normalize import normalize

N = 2000
ROUNDS = 5


def make_body(rng: random.Random, target: int) -> bytes:
    items: list[dict[str, object]] = []
    while len(json.dumps(items)) < target:
        items.append(
            {
                "id": rng.randrange(10**6),
                "name": f"user{rng.randrange(1000)}",
                "email": f"u{rng.randrange(1000)}@example.com",
                "active": rng.random() < 0.5,
                "score": round(rng.random() * 100, 2),
                "tags": ["a", "b", "c"][: rng.randrange(4)],
            }
        )
    return json.dumps({"data": items, "page": 1}).encode()


def make_txs(n: int) -> list[Transaction]:
    rng = random.Random(1)
    txs = []
    for i in range(n):
        body = make_body(rng, rng.randrange(1000, 5000))
        txs.append(
            Transaction(
                seq=i,
                source="bench",
                method="POST",
                scheme="https",
                host="api.example.com",
                path=f"/v1/users/{rng.randrange(10**6)}/orders",
                query="expand=items&limit=20&q=caf%C3%A9+au+lait",
                request_headers=(
                    ("host", "api.example.com"),
                    ("content-type", "application/json; charset=utf-8"),
                    ("accept", "application/json"),
                    ("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"),
                    ("cookie", "session=abc123; theme=dark"),
                    ("user-agent", "bench/1.0"),
                ),
                request_body=body,
                status=200,
                response_headers=(("content-type", "application/json"),),
                response_body=b'{"ok": true}',
            )
        )
    return txs


def best_of(fn: Callable[[], None]) -> float:
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    txs = make_txs(N)
    bodies = [tx.request_body for tx in txs]
    no_body = [msgspec.structs.replace(tx, request_body=b"", response_body=b"") for tx in txs]
    decode = msgspec.json.decode

    def run_normalize() -> None:
        for tx in txs:
            normalize(tx)

    def run_no_body() -> None:
        for tx in no_body:
            normalize(tx)

    def run_decode() -> None:
        for b in bodies:
            decode(b)
        decode(b'{"ok": true}')

    base = best_of(run_decode) / N * 1e6
    full = best_of(run_normalize) / N * 1e6
    bare = best_of(run_no_body) / N * 1e6
    avg = sum(map(len, bodies)) / N
    print(f"{N} JSON requests, mean body {avg:.0f} bytes, best of {ROUNDS}")
    print(f"msgspec.json.decode of the bodies alone: {base:6.2f} us/tx")
    print(f"normalize (with bodies):                 {full:6.2f} us/tx   ratio {full / base:.2f}x")
    print(f"normalize (bodies empty):                {bare:6.2f} us/tx")


if __name__ == "__main__":
    main()
