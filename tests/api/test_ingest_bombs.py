"""Gzip bombs against the real collector (``tracehound serve`` in a subprocess): memory stays bounded
by the settings, every bomb is refused (413 or 503 with Retry-After, never 500, never a hang), and
valid batches sent at the same time all arrive in the store."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from e2e._procs import Service, wait_until
from e2e._traffic import ndjson_batches
from servers import free_ports
from tracehound.api._gunzip import FREE_DECODE_BYTES
from tracehound.config import ServerSettings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

MiB = 1 << 20
BOMBS = 20
BOMB_DECODED = 63 * MiB
VALID_BATCHES = 20
PER_BATCH = 20


def cli(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tracehound.cli.main", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def proc_status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@pytest.mark.parametrize(
    ("kind", "answers_expected"),
    [
        # 63 MiB of zeros: over the budget, refused while decoding.
        ("zeros", {413, 503}),
        # Newlines up to the budget: a valid, empty batch (202, nothing accepted), whose parse once
        # took 8 bytes a line (290 MiB for 32 MiB of newlines) before NDJSON was parsed in pieces.
        ("newlines", {202, 503}),
    ],
)
def test_parallel_gzip_bombs_keep_memory_bounded_and_lose_no_valid_batch(
    tmp_path: Path, kind: str, answers_expected: set[int]
) -> None:
    settings = ServerSettings()  # the defaults a user gets
    cli(tmp_path, "tenants", "create", "acme")
    ingest = cli(tmp_path, "keys", "create", "--tenant", "acme", "--role", "ingest").splitlines()[-1]
    read = cli(tmp_path, "keys", "create", "--tenant", "acme", "--role", "read").splitlines()[-1]
    port = free_ports(1)[0]
    url = f"http://127.0.0.1:{port}"
    env = {"TRACEHOUND_SERVER__ANALYZER__INTERVAL_S": "0.5"}
    serve = Service(tmp_path, "serve", ["serve", "--listen", f"127.0.0.1:{port}"], env, cwd=tmp_path)

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def post(body: bytes, gzipped: bool) -> httpx.Response:
        headers = {"Authorization": f"Bearer {ingest}", "Content-Type": "application/x-ndjson"}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        return httpx.post(f"{url}/v1/traffic", content=body, headers=headers, timeout=90)

    def transactions() -> int:
        r = httpx.get(f"{url}/v1/stats", headers={"Authorization": f"Bearer {read}"}, timeout=5)
        return int(r.json()["transactions"]) if r.status_code == 200 else -1

    try:
        wait_until(up, 30, "serve to listen", [serve])
        # Warm up the paths the test takes (imports, parse, a decoded batch, the store), then the base.
        warm = ndjson_batches(10, 5, seed=3)
        assert post(warm[0], False).status_code == 202
        assert post(gzip.compress(warm[1]), True).status_code == 202
        wait_until(lambda: transactions() == 10, 30, "the warm-up batches in the store", [serve])
        base_kib = proc_status_kib(serve.pid, "VmRSS")

        plain = b"\0" * BOMB_DECODED if kind == "zeros" else b"\n" * settings.max_decompressed_bytes
        bomb = gzip.compress(plain, 9)
        del plain
        assert len(bomb) < 70 * 1024
        valid = ndjson_batches(VALID_BATCHES * PER_BATCH, PER_BATCH, seed=11)

        def send_valid(i: int) -> int:
            """As a sensor does: the identical batch again after Retry-After on 429/503."""
            body = gzip.compress(valid[i]) if i % 2 else valid[i]
            deadline = time.monotonic() + 60
            while True:
                r = post(body, gzipped=bool(i % 2))
                if r.status_code == 202:
                    return int(r.json()["accepted"])
                assert r.status_code in (429, 503), f"valid batch {i}: {r.status_code} {r.text}"
                assert time.monotonic() < deadline, f"valid batch {i} never accepted"
                time.sleep(float(r.headers.get("Retry-After", "1")))

        with ThreadPoolExecutor(max_workers=BOMBS + VALID_BATCHES) as pool:
            bombs = [pool.submit(post, bomb, True) for _ in range(BOMBS)]
            valids = [pool.submit(send_valid, i) for i in range(VALID_BATCHES)]
            answers = [f.result(timeout=120) for f in bombs]
            accepted = [f.result(timeout=120) for f in valids]

        peak_kib = proc_status_kib(serve.pid, "VmHWM")
        statuses = sorted(r.status_code for r in answers)
        growth_mib = (peak_kib - base_kib) / 1024
        print(f"\nbase_rss_mib={base_kib / 1024:.0f} peak_rss_mib={peak_kib / 1024:.0f} growth_mib={growth_mib:.0f}")
        print(f"{kind} bomb statuses: {statuses}")

        assert set(statuses) <= answers_expected, statuses
        assert min(answers_expected) in statuses  # the budget or the parse was exercised, not only the slots
        for r in answers:
            assert "Traceback" not in r.text
            if r.status_code == 202:
                assert r.json() == {"accepted": 0, "duplicate": False}
            else:
                assert r.json()["error"] == ("busy" if r.status_code == 503 else "too_large")
            if r.status_code == 503:
                assert int(r.headers["Retry-After"]) >= 1
        assert accepted == [PER_BATCH] * VALID_BATCHES
        # Each slot holds at most its budget of decoded bytes; a valid batch at the budget would
        # hold it about three times (body, lines, bus messages). Plus the free allowance of every
        # connection and room for the allocator and the valid batches' own work.
        bound_mib = (
            settings.max_concurrent_decompressions * 3 * settings.max_decompressed_bytes
            + (BOMBS + VALID_BATCHES) * FREE_DECODE_BYTES
        ) / MiB + 96
        assert growth_mib < bound_mib, f"RSS grew by {growth_mib:.0f} MiB (bound {bound_mib:.0f} MiB)"

        total = 10 + VALID_BATCHES * PER_BATCH
        wait_until(lambda: transactions() == total, 60, "every accepted transaction in the store", [serve])
        assert serve.alive()
    finally:
        assert serve.stop() == 0, serve.log()
    log = serve.log()
    assert "Traceback" not in log and "http.unhandled_error" not in log, log
