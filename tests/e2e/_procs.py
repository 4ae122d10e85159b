"""Tracehound services as real processes for the e2e tests: started, probed, terminated or SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

from servers import free_ports

_STARTED: list[Service] = []


def cleanup_services() -> None:
    """Kill every service still running and close every log (test teardown)."""
    while _STARTED:
        service = _STARTED.pop()
        if service.alive():
            service.proc.kill()
            service.proc.wait(10)
        service._log.close()


class Service:
    """``python -m tracehound.cli.main <command> ...`` (or ``program <command> ...``) with its log in ``log_dir``."""

    def __init__(
        self,
        log_dir: Path,
        name: str,
        args: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        program: list[str] | None = None,
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log: IO[bytes] = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [*(program or [sys.executable, "-m", "tracehound.cli.main"]), *args],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=cwd,
        )
        _STARTED.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, nothing drained."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait: the graceful shutdown."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return int(self.proc.returncode)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def wait_until(cond: Callable[[], Any], timeout: float, what: str, services: list[Service] = ()) -> Any:  # type: ignore[assignment]
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {s.name} ---\n{s.log()}" for s in services)
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")
        for s in services:
            if not s.alive() and s.proc.returncode not in (-9, 0):
                raise AssertionError(f"{s.name} exited with {s.proc.returncode}:\n{s.log()}")
        time.sleep(0.1)


def start_collector(log_dir: Path, bus: str, store: str, name: str = "collector") -> tuple[Service, str]:
    port = free_ports(1)[0]
    svc = Service(log_dir, name, ["collector", "--bus", bus, "--store", store, "--listen", f"127.0.0.1:{port}"])
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 30, f"{name} to listen", [svc])
    return svc, url


def post_until_accepted(url: str, key: str, body: bytes, timeout: float = 60) -> dict[str, Any]:
    """POST a batch, retrying the identical body on 429/5xx/connection errors, as a sensor does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = httpx.post(
                f"{url}/v1/traffic",
                content=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
                timeout=15,
            )
            if r.status_code == 202:
                return dict(r.json())
            assert r.status_code in (429, 500, 502, 503), f"{r.status_code}: {r.text}"
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "batch never accepted"
        time.sleep(0.2)
