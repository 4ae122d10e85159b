"""Throughput and memory of the HAR source, against baselines run in the same invocation.

Why: the pipeline targets 20,000 transactions/s per core and a 1 GB HAR within 300 MB of RSS,
so the source must cost a few microseconds per entry and stream. Figures are printed as
entries/s and as ratios to ``msgspec.json.decode`` of the whole file (the fastest possible
non-streaming reader), never asserted.

    PYTHONPATH=src .venv/bin/python bench/bench_sources.py              # small and quick
    PYTHONPATH=src .venv/bin/python bench/bench_sources.py --har F.har  # your own file
    PYTHONPATH=src .venv/bin/python bench/bench_sources.py --big        # + ~1 GB HAR, peak RSS

Realistic traffic from an OpenAPI spec can be made with
``../shared/tools/gen_traffic.py SPEC --har out.har --truth out.truth.json --transactions N``
and passed with ``--har``; the built-in generator makes entries with 1-5 KB JSON bodies.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from tracehound.sources.har import HarEntry, HarSource, har_entry_to_transaction


def _json_body(rng: random.Random, size: int) -> str:
    items = []
    total = 0
    while total < size:
        item = {
            "id": rng.randrange(1 << 40),
            "email": f"user{rng.randrange(10**6)}@example.com",
            "name": rng.choice(["Ada Lovelace", "Alan Turing", "Grace Hopper"]),
            "tags": [rng.choice("abcdefgh") * rng.randrange(1, 8) for _ in range(3)],
            "address": {"street": f"{rng.randrange(999)} Main St", "zip": f"{rng.randrange(99999):05}"},
            "active": rng.random() < 0.5,
        }
        text = json.dumps(item)
        total += len(text) + 2
        items.append(item)
    return json.dumps({"data": items, "total": len(items)})


def _entry(rng: random.Random, i: int) -> dict[str, object]:
    user = rng.randrange(10**5)
    body = _json_body(rng, rng.randrange(1000, 5000))
    post = rng.random() < 0.3
    request: dict[str, object] = {
        "method": "POST" if post else "GET",
        "url": f"https://api.example.com/v1/users/{user}/orders?page={i % 7}&expand=items",
        "httpVersion": "HTTP/1.1",
        "headers": [
            {"name": "Host", "value": "api.example.com"},
            {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"},
            {"name": "Accept", "value": "application/json"},
            {"name": "Authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"},
            {"name": "X-Request-Id", "value": f"req-{i}"},
            {"name": "X-Forwarded-For", "value": f"203.0.113.{i % 250}"},
        ],
        "queryString": [{"name": "page", "value": str(i % 7)}, {"name": "expand", "value": "items"}],
        "cookies": [],
        "headersSize": -1,
        "bodySize": 0,
    }
    if post:
        request["postData"] = {"mimeType": "application/json", "text": _json_body(rng, 800)}
    return {
        "startedDateTime": f"2026-11-25T10:{(i // 60) % 60:02}:{i % 60:02}.123Z",
        "time": rng.random() * 100,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Content-Type", "value": "application/json"},
                {"name": "Content-Length", "value": str(len(body))},
            ],
            "cookies": [],
            "content": {"size": len(body), "mimeType": "application/json", "text": body},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(body),
        },
        "cache": {},
        "timings": {"send": 0.1, "wait": 10.0, "receive": 0.2},
    }


def generate(path: Path, entries: int = 0, target_bytes: int = 0, seed: int = 7) -> int:
    """Write a HAR of ``entries`` entries (or until ``target_bytes``), streaming; returns the count.

    A pool of generated entries is reused with a new index each time, so a 1 GB file is quick.
    """
    rng = random.Random(seed)
    pool = [_entry(rng, i) for i in range(500)]
    written = 0
    count = 0
    with path.open("wb") as out:
        out.write(b'{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": [\n')
        while (entries and count < entries) or (target_bytes and written < target_bytes):
            entry = pool[count % len(pool)]
            entry["request"]["headers"][4]["value"] = f"req-{count}"  # type: ignore[index]
            data = (b",\n" if count else b"") + json.dumps(entry).encode()
            out.write(data)
            written += len(data)
            count += 1
        out.write(b"\n]}}\n")
    return count


class _Doc(msgspec.Struct):
    log: _Log


class _Log(msgspec.Struct):
    entries: list[HarEntry]


def _timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - start


def _har_source(path: Path) -> int:
    return sum(1 for _ in HarSource(path))


def _whole_file(path: Path) -> int:
    doc = msgspec.json.decode(path.read_bytes(), type=_Doc)
    return len(doc.log.entries)


def _whole_file_converted(path: Path) -> int:
    doc = msgspec.json.decode(path.read_bytes(), type=_Doc)
    name = str(path)
    return sum(1 for i, e in enumerate(doc.log.entries) if har_entry_to_transaction(e, i, name))


def _ijson(path: Path) -> int:
    import ijson  # type: ignore[import-not-found,unused-ignore]

    with path.open("rb") as f:
        return sum(1 for _ in ijson.items(f, "log.entries.item"))


def run_throughput(path: Path, repeat: int) -> None:
    size = path.stat().st_size
    cases: list[tuple[str, Callable[[], int]]] = [
        ("HarSource (stream: frame + decode + Transaction)", lambda: _har_source(path)),
        ("msgspec.json.decode whole file (typed, no Transaction)", lambda: _whole_file(path)),
        ("msgspec whole file + Transaction", lambda: _whole_file_converted(path)),
    ]
    try:
        import ijson  # type: ignore[import-not-found,unused-ignore]  # noqa: F401

        cases.append(("ijson items (stream, dicts only)", lambda: _ijson(path)))
    except ImportError:
        print("ijson not installed: skipped")
    print(f"file: {path} ({size / 1e6:.1f} MB)")
    baseline = 0.0
    for label, fn in cases:
        best = min(_timed(fn)[1] for _ in range(repeat))
        n = fn()
        rate = n / best
        baseline = baseline or rate
        print(
            f"  {label:<56} {rate:>10,.0f} entries/s  {size / best / 1e6:>7.1f} MB/s"
            f"  {best / n * 1e6:>6.2f} us/entry  x{rate / baseline:.2f}"
        )


def measure_rss(path: Path) -> None:
    """Stream ``path`` in a child process and print its peak RSS (and the rate)."""
    code = (
        "import resource, sys, time\n"
        "from pathlib import Path\n"
        "from tracehound.sources.har import HarSource\n"
        "t = time.perf_counter()\n"
        "n = sum(1 for _ in HarSource(Path(sys.argv[1])))\n"
        "dt = time.perf_counter() - t\n"
        "print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    n, dt, rss_kb = out.stdout.split()
    size = path.stat().st_size
    print(
        f"  streamed {int(n):,} entries of {size / 1e9:.2f} GB in {float(dt):.1f} s "
        f"({int(n) / float(dt):,.0f} entries/s), peak RSS {int(rss_kb) / 1024:.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--har", type=Path, help="benchmark this HAR instead of a generated one")
    ap.add_argument("--entries", type=int, default=5000, help="entries to generate (default 5000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big", action="store_true", help="also stream a generated ~1 GB HAR and report peak RSS")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.har
        if path is None:
            path = Path(tmp) / "bench.har"
            generate(path, entries=args.entries)
        run_throughput(path, args.repeat)
        measure_rss(path)
        if args.big:
            big = Path(tmp) / "big.har"
            start = time.perf_counter()
            n = generate(big, target_bytes=1 << 30)
            print(f"generated {n:,} entries ({big.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - start:.0f} s")
            measure_rss(big)
    print(f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
