"""The operations endpoints every service exposes: ``/healthz``, ``/readyz`` and ``/metrics``, and serving an app.

``/healthz`` says the process answers (a liveness probe restarts it otherwise); ``/readyz`` says
its dependencies answer (a load balancer or the bus stop sending it work otherwise); ``/metrics``
is Prometheus' text format. Workers and analyzers have no other HTTP API, so they get a tiny app
of these three alone. Uvicorn is started without its own signal handlers: the service command
owns SIGTERM so that it can drain workers before the HTTP server stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from tracehound.cluster.metrics import CONTENT_TYPE, Metrics
from tracehound.errors import ConfigError

__all__ = ["ReadyCheck", "add_ops_routes", "ops_app", "parse_listen", "start_http"]

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
"""Returns the problems found, by dependency (empty when ready)."""

READY_CACHE_S = 1.0
log = logging.getLogger(__name__)


def add_ops_routes(app: FastAPI, metrics: Metrics, ready: ReadyCheck) -> None:
    last: list[Any] = [0.0, {}]

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        now = time.monotonic()
        if now - last[0] > READY_CACHE_S:
            try:
                last[1] = await asyncio.wait_for(ready(), timeout=5.0)
            except TimeoutError:
                last[1] = {"check": "timed out"}
            last[0] = now
        problems: dict[str, str] = last[1]
        if problems:
            # Unauthenticated: say which dependency is down, never why (an error names hosts,
            # users, file paths); the reasons go to the log, where operators look.
            log.warning("readyz.unavailable %s", " ".join(f"{k}={v!r}" for k, v in sorted(problems.items())))
            return JSONResponse(
                {"status": "unavailable", "problems": dict.fromkeys(problems, "unavailable")}, status_code=503
            )
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)


def ops_app(metrics: Metrics, ready: ReadyCheck, title: str) -> FastAPI:
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    add_ops_routes(app, metrics, ready)
    return app


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) as a (host, port) pair."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ConfigError(f"listen address {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


class _Server(uvicorn.Server):
    def capture_signals(self) -> AbstractContextManager[None]:  # type: ignore[override]
        return nullcontext()


async def start_http(app: Any, listen: str) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Serve ``app`` on ``listen`` in a task; returns once the socket listens."""
    host, port = parse_listen(listen)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    server = _Server(config)
    task = asyncio.create_task(server.serve(), name=f"http {listen}")
    while not server.started:
        if task.done():
            task.result()
            raise ConfigError(f"cannot listen on {listen}")
        await asyncio.sleep(0.02)
    return server, task
