"""``tracehound serve`` as a user on a fresh machine runs it: serve, create a key, curl a HAR file, read it back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from e2e._procs import Service, wait_until
from servers import free_ports

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]


def cli(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tracehound.cli.main", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_serve_then_keys_then_post_a_har_file_then_read(tmp_path: Path) -> None:
    port = free_ports(1)[0]
    env = {"TRACEHOUND_SERVER__ANALYZER__INTERVAL_S": "0.5"}
    # As on a fresh machine: no --store anywhere, serve and the key commands meet in ./tracehound.db
    serve = Service(tmp_path, "serve", ["serve", "--listen", f"127.0.0.1:{port}"], env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ok(f"{url}/healthz"), 30, "serve to listen", [serve])
        cli(tmp_path, "tenants", "create", "acme")
        ingest = cli(tmp_path, "keys", "create", "--tenant", "acme", "--role", "ingest").splitlines()[-1]
        read = cli(tmp_path, "keys", "create", "--tenant", "acme", "--role", "read").splitlines()[-1]
        har = {
            "log": {
                "version": "1.2",
                "entries": [
                    {
                        "startedDateTime": "2026-11-25T10:00:00Z",
                        "request": {"method": "GET", "url": f"https://shop.test/users/{i}", "headers": []},
                        "response": {"status": 200, "headers": [], "content": {"text": '{"id": 1}'}},
                    }
                    for i in range(30)
                ],
            }
        }
        r = httpx.post(
            f"{url}/v1/traffic",
            content=json.dumps(har).encode(),
            headers={"Authorization": f"Bearer {ingest}", "Content-Type": "application/json"},
        )
        assert r.status_code == 202, r.text
        assert r.json() == {"accepted": 30, "duplicate": False}

        def stats() -> dict[str, int] | None:
            got = httpx.get(f"{url}/v1/stats", headers={"Authorization": f"Bearer {read}"})
            return got.json() if got.status_code == 200 and got.json().get("endpoints") else None

        doc = wait_until(stats, 20, "the read API to show the batch", [serve])
        assert doc["endpoints"] == 1  # /users/{id}
        assert doc["transactions"] == 30
        assert httpx.get(f"{url}/v1/stats", headers={"Authorization": f"Bearer {ingest}"}).status_code == 403
    finally:
        assert serve.stop() == 0, serve.log()


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
