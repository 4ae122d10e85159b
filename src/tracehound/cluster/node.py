"""Runs services in one process: any mix of collector, worker, analyzer and read API, and their shutdown.

``tracehound serve`` is all four on a memory bus and a SQLite file; ``collector``, ``worker`` and
``analyzer`` are one each on a NATS bus and PostgreSQL. They share this composition so that the
single node and the cluster run the same code in the same order, including the part that is easy
to get wrong, shutdown: on SIGTERM or SIGINT the HTTP server stops taking batches first, then the
workers finish and acknowledge what they hold (with the in-process bus, until it is empty, since
its messages would not survive the process), then the analyzer releases its lease, then the bus
and store close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from tracehound.bus.base import Bus, open_bus
from tracehound.cluster.alerts import AlertSender
from tracehound.cluster.analyzer import Analyzer
from tracehound.cluster.http import add_ops_routes, start_http
from tracehound.cluster.logging import event
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.store_thread import StoreThread
from tracehound.cluster.worker import Worker
from tracehound.config import Settings
from tracehound.errors import BusError, ConfigError, StoreError
from tracehound.model.redaction import redact_url, use_installation_key
from tracehound.store.base import Store

__all__ = ["Roles", "run_node"]

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Roles:
    collector: bool = False
    workers: int = 0
    analyzer: bool = False
    read_api: bool = False

    @property
    def needs_bus(self) -> bool:
        return self.collector or self.workers > 0


async def _open_bus_patiently(url: str, stop: asyncio.Event) -> Bus | None:
    """The bus, retried with backoff while it is unreachable (a JetStream cluster still electing
    its leader, a node restarting): a service waits for its bus rather than crash-looping.
    Configuration errors are not retried. None when asked to stop first."""
    delay = 0.5
    while not stop.is_set():
        try:
            return await open_bus(url)
        except ConfigError:
            raise
        except BusError as exc:
            event(log, "node.bus_unavailable", logging.WARNING, error=str(exc), retry_in_s=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 10.0)
    return None


def _open_store(url: str) -> Store:
    from tracehound.store import open_store
    from tracehound.store.base import installation_key

    store: Store = open_store(url)
    # Secret tags in evidence and principal ids are keyed with this installation's secret.
    use_installation_key(installation_key(store))
    return store


async def run_node(
    settings: Settings,
    roles: Roles,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[dict[str, Any]], Awaitable[None] | None] | None = None,
) -> None:
    """Run ``roles`` until ``stop`` is set (or SIGTERM/SIGINT when ``stop`` is None)."""
    server = settings.server
    stop = stop or _signal_stop()
    metrics = Metrics()
    store = _open_store(server.store)
    bus: Bus | None = None
    read_store: Store | None = None
    alerts: AlertSender | None = None
    store_thread = StoreThread("store")
    workers: list[Worker] = []
    analyzer: Analyzer | None = None
    tasks: list[asyncio.Task[None]] = []
    worker_stop = asyncio.Event()
    http: Any = None
    try:
        if roles.needs_bus:
            bus = await _open_bus_patiently(server.bus, stop)
            if bus is None:
                return
        if roles.analyzer:
            alerts = AlertSender(server.alerts, metrics)
            analyzer = Analyzer(store, settings, metrics, alerts=alerts, store_thread=store_thread)
        for i in range(roles.workers):
            assert bus is not None
            workers.append(Worker(bus, store, settings, metrics, store_thread=store_thread, name=f"worker-{i}"))

        app = _build_app(settings, roles, bus, store, metrics, store_thread, workers, analyzer)
        if roles.read_api:
            from tracehound.api.read import create_read_app

            read_store = _open_store(server.store)
            app.mount("/", create_read_app(read_store))
        if server.listen:
            http = await start_http(app, server.listen)
        for worker in workers:
            tasks.append(asyncio.create_task(worker.run(worker_stop), name=worker.name))
        if analyzer is not None:
            tasks.append(asyncio.create_task(analyzer.run(stop), name="analyzer"))
        event(
            log,
            "node.started",
            listen=server.listen or "-",
            bus=redact_url(server.bus) if roles.needs_bus else "-",
            store=redact_url(server.store),
            collector=roles.collector,
            workers=roles.workers,
            analyzer=roles.analyzer,
            read_api=roles.read_api,
        )
        if on_ready is not None:
            maybe = on_ready({"listen": server.listen, "app": app})
            if maybe is not None:
                await maybe
        stop_wait = asyncio.create_task(stop.wait())
        watched: set[asyncio.Task[Any]] = {stop_wait, *tasks}
        if http is not None:
            watched.add(http[1])
        done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stop_wait and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        event(log, "node.stopping")
        # 1. no new batches
        if http is not None:
            http[0].should_exit = True
            await http[1]
        # 2. workers finish what they hold (the in-process bus: everything, or it is lost)
        if workers and bus is not None and server.bus.startswith("memory:"):
            await _drain(workers[0], DRAIN_TIMEOUT_S)
        worker_stop.set()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        stop_wait.cancel()
    finally:
        worker_stop.set()
        for task in tasks:
            task.cancel()
        if alerts is not None:
            await asyncio.to_thread(alerts.close)
        if bus is not None:
            await bus.close()
        store_thread.shutdown()
        store.close()
        if read_store is not None:
            read_store.close()
        event(log, "node.stopped")


async def _drain(worker: Worker, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if await worker.consumer.pending() == 0:
                return
        except BusError:
            return
        await asyncio.sleep(0.1)
    event(log, "node.drain_timeout", logging.WARNING, timeout=timeout)


def _build_app(
    settings: Settings,
    roles: Roles,
    bus: Bus | None,
    store: Store,
    metrics: Metrics,
    store_thread: StoreThread,
    workers: list[Worker],
    analyzer: Analyzer | None,
) -> FastAPI:
    async def ready() -> dict[str, str]:
        problems: dict[str, str] = {}
        try:
            await store_thread.call(store.ping)
        except StoreError as exc:
            problems["store"] = str(exc)
        for worker in workers:
            problems.update({f"{worker.name}.{k}": v for k, v in worker.problem.items()})
        if analyzer is not None:
            problems.update({f"analyzer.{k}": v for k, v in analyzer.problem.items()})
        if bus is not None and not roles.collector:
            try:
                metrics.bus_lag.set(await bus.consumer(settings.server.worker.durable).pending())
            except BusError as exc:
                problems["bus"] = str(exc)
        return problems

    if roles.collector:
        from tracehound.api.ingest import create_ingest_app

        assert bus is not None
        app = create_ingest_app(
            bus, store, settings.server, metrics, store_thread=store_thread, ops=False, docs=not roles.read_api
        )
        collector_ready = _collector_ready(bus, settings, metrics)

        async def all_ready() -> dict[str, str]:
            problems = await ready()
            problems.update(await collector_ready())
            return problems

        add_ops_routes(app, metrics, all_ready)
        return app
    app = FastAPI(title="Tracehound", docs_url=None, redoc_url=None, openapi_url=None)
    add_ops_routes(app, metrics, ready)
    return app


def _collector_ready(bus: Bus, settings: Settings, metrics: Metrics) -> Callable[[], Awaitable[dict[str, str]]]:
    consumer = bus.consumer(settings.server.worker.durable)

    async def check() -> dict[str, str]:
        try:
            metrics.bus_lag.set(await consumer.pending())
        except BusError as exc:
            return {"bus": str(exc)}
        return {}

    return check


def _signal_stop() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    return stop


def check_roles(roles: Roles) -> None:
    if roles.workers < 0:
        raise ConfigError("--workers must be 0 or more")
