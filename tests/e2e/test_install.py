"""The wheel as a user gets it: built from this tree, installed in a clean venv without the dev extras,
and every service command started from that venv against real PostgreSQL and NATS.

The rest of the suite runs in the dev venv, where every dev extra is importable, so a runtime import
missing from ``[project.dependencies]`` (``nats`` was: ``collector --bus nats://`` died with
``ModuleNotFoundError`` after ``pip install tracehound``) or a file missing from the wheel's package
data passes there and fails only here. The wheel and the venv are built once per module (``pip
install -c constraints.txt``; about 30 s on the 2-core development machine with pip's cache warm)
and shared by the tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from e2e._procs import Service, post_until_accepted, wait_until
from e2e._traffic import ndjson_batches
from servers import free_ports

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"
# What the sdist/wheel build reads; copied so the build leaves nothing (build/, *.egg-info) in the tree.
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "src")
# Inherited variables that could make the venv's python find the dev install instead of its own.
CLEAN_ENV = {"PYTHONPATH": "", "PYTHONHOME": "", "PYTHONUNBUFFERED": "1"}


def run(argv: list[str | Path], cwd: Path, timeout: float = 240) -> str:
    out = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **CLEAN_ENV},
        check=False,
    )
    assert out.returncode == 0, f"{' '.join(map(str, argv))} exited {out.returncode}:\n{out.stdout}\n{out.stderr}"
    return out.stdout


class Installed:
    """A venv holding the wheel and its runtime dependencies only."""

    def __init__(self, venv: Path, work: Path) -> None:
        self.venv = venv
        self.work = work  # the cwd of every command: not the repo, so nothing of the tree is importable
        self.python = venv / "bin" / "python"
        self.tracehound = venv / "bin" / "tracehound"

    def cli(self, *args: str) -> str:
        return run([self.tracehound, *args], self.work, timeout=60)

    def service(self, log_dir: Path, name: str, args: list[str]) -> Service:
        return Service(log_dir, name, args, CLEAN_ENV, cwd=self.work, program=[str(self.tracehound)])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    tree = base / "tree"
    tree.mkdir()
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif source.is_file():
            shutil.copy2(source, tree / name)
    wheels = base / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "--quiet", "--no-deps", "--build-constraint", CONSTRAINTS, "-w", wheels, tree], base)
    (wheel,) = wheels.glob("tracehound-*.whl")

    venv = base / "venv"
    # No pip inside: the dev venv's pip installs into it (--python), which saves bootstrapping one.
    run([sys.executable, "-m", "venv", "--without-pip", venv], base)
    run([*pip, "--python", venv / "bin" / "python", "install", "--quiet", "-c", CONSTRAINTS, wheel], base)
    work = base / "work"
    work.mkdir()
    return Installed(venv, work)


def _name(requirement: str) -> str:
    return re.split(r"[\s\[(<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def test_the_wheel_installs_its_runtime_dependencies_and_no_dev_extras(installed: Installed) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    probe = (
        "import importlib.metadata as m, json, tracehound, nats, psycopg, uvicorn, re2, brotli, msgspec;"
        "print(json.dumps([tracehound.__file__, {d.metadata['Name']: d.requires or [] for d in m.distributions()}]))"
    )
    where, dists = json.loads(run([installed.python, "-c", probe], installed.work))
    assert Path(where).is_relative_to(installed.venv), f"tracehound imported from {where}, not from the wheel"
    requires = {_name(name): reqs for name, reqs in dists.items()}
    assert {_name(r) for r in project["dependencies"]} <= requires.keys()
    # Everything installed is needed by tracehound's requirements (and the extras they ask for, like
    # psycopg[binary]), so no dev extra crept in.
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [("tracehound", frozenset())]
    while todo:
        name, extras = todo.pop()
        if name not in requires or (name, extras) in seen:
            continue
        seen.add((name, extras))
        needed.add(name)
        for r in requires[name]:
            wanted = re.search(r"""extra\s*==\s*['"]([^'"]+)""", r)
            if wanted is None or wanted.group(1) in extras:
                asked = re.match(r"[^\[;(<>=!~\s]+\s*\[([^\]]*)\]", r)
                todo.append(
                    (_name(r), frozenset(e.strip() for e in asked.group(1).split(",")) if asked else frozenset())
                )
    assert set(requires) - needed == set(), "installed without being required"
    dev_only = {_name(r) for r in project["optional-dependencies"]["dev"]} - needed
    assert dev_only, "the dev extras are all runtime dependencies? then this test proves nothing"


def test_analyze_from_the_wheel_reads_the_shipped_demo_and_writes_every_report(installed: Installed) -> None:
    demo = next((installed.venv / "lib").glob("python3*/site-packages/tracehound/demo/shop.har.gz"))
    out = installed.work / "demo"
    installed.cli(
        "analyze", str(demo), "--db", str(out / "t.db"), "--json", str(out / "report.json"),
        "--html", str(out / "report.html"), "--openapi", str(out / "openapi"), "--sarif", str(out / "r.sarif"),
        "--fresh", "--quiet",
    )  # fmt: skip
    report = json.loads((out / "report.json").read_text())
    assert report["services"], "the demo traffic produced no service"
    assert (out / "report.html").stat().st_size > 0
    assert list((out / "openapi").glob("*.json"))


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


def test_cluster_commands_from_the_wheel_come_up_ready_carry_traffic_and_stop_cleanly(
    installed: Installed, tmp_path: Path, pg_url: str, nats_bus: str
) -> None:
    installed.cli("tenants", "create", "acme", "--store", pg_url)
    ingest = installed.cli("keys", "create", "--tenant", "acme", "--role", "ingest", "--store", pg_url).split()[-1]
    read = installed.cli("keys", "create", "--tenant", "acme", "--role", "read", "--store", pg_url).split()[-1]
    ports = dict(zip(("collector", "worker", "analyzer", "api"), free_ports(4), strict=True))
    listen = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    args = {
        "collector": ["--bus", nats_bus, "--store", pg_url],
        "worker": ["--bus", nats_bus, "--store", pg_url],
        "analyzer": ["--bus", nats_bus, "--store", pg_url, "--interval", "0.5"],
        "api": ["--store", pg_url],
    }
    services = [installed.service(tmp_path, name, [name, *args[name], "--listen", listen[name]]) for name in args]
    for svc in services:
        url = f"http://{listen[svc.name]}/readyz"
        wait_until(lambda u=url: _status(u) == 200, 60, f"{svc.name} to be ready ({url})", services)

    body = b"".join(ndjson_batches(50, 50))
    assert post_until_accepted(f"http://{listen['collector']}", ingest, body)["accepted"] == 50
    auth = {"Authorization": f"Bearer {read}"}

    def published() -> dict[str, int] | None:
        # transactions: the worker folded the batch; endpoints: the analyzer published the inventory.
        try:
            r = httpx.get(f"http://{listen['api']}/v1/stats", headers=auth, timeout=5)
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 and r.json().get("endpoints") else None

    stats = wait_until(published, 60, "the read API to show the analyzed batch", services)
    assert stats["transactions"] == 50

    for svc in services:
        code = svc.stop()
        # a shutdown that hung would be killed by stop() (-9); `api` used to die by the SIGTERM
        # uvicorn re-raises after draining (-15), without closing its store
        assert code == 0, f"{svc.name} did not stop cleanly (exit {code}):\n{svc.log()}"
        assert "Traceback" not in svc.log(), svc.log()


def test_serve_from_the_wheel_comes_up_ready_and_stops_cleanly(installed: Installed, tmp_path: Path) -> None:
    port = free_ports(1)[0]
    serve = installed.service(tmp_path, "serve", ["serve", "--listen", f"127.0.0.1:{port}"])
    wait_until(lambda: _status(f"http://127.0.0.1:{port}/readyz") == 200, 60, "serve to be ready", [serve])
    assert _status(f"http://127.0.0.1:{port}/docs") == 200
    assert serve.stop() == 0, serve.log()
    assert "Traceback" not in serve.log(), serve.log()
