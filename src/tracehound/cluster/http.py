"""The operations endpoints every service exposes: ``/healthz``, ``/readyz`` and ``/metrics``, and serving an app.

``/healthz`` says the process answers (a liveness probe restarts it otherwise); ``/readyz`` says
its dependencies answer (a load balancer or the bus stop sending it work otherwise); ``/metrics``
is Prometheus' text format. Workers and analyzers have no other HTTP API, so they get a tiny app
of these three alone. Uvicorn is started without its own signal handlers: the service command
owns SIGTERM so that it can drain workers before the HTTP server stops.

Every app these services serve is wrapped in :class:`ContainErrors`: an exception no handler
expected becomes a plain ``500 {"error": "internal"}`` and one structured log event (the route
template, the exception's type and where it was raised), never a traceback in the answer or the
log, and never the request's content. uvicorn runs with ``log_config=None``, so what it logs
itself goes through the same structured handler (see :mod:`tracehound.cluster.logging`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from tracehound.cluster.logging import describe_exception, event
from tracehound.cluster.metrics import CONTENT_TYPE, Metrics
from tracehound.errors import ConfigError

__all__ = ["ContainErrors", "ReadyCheck", "add_ops_routes", "ops_app", "parse_listen", "start_http", "uvicorn_config"]

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
"""Returns the problems found, by dependency (empty when ready)."""

READY_CACHE_S = 1.0
log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_INTERNAL_BODY = b'{"error":"internal","reason":"unexpected server error; it was logged, retry later"}'


class ContainErrors:
    """ASGI middleware: an unexpected exception becomes a plain JSON 500 and one log event.

    Starlette's own catch-all (``ServerErrorMiddleware``) answers but then re-raises, so uvicorn
    logs the traceback a second time; this one is added inside it and ends the exception here.
    When the response had already started, the connection is closed instead (nothing else is
    possible); the event is logged either way.
    """

    def __init__(self, app: ASGIApp, service: str = "http") -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # the point: nothing escapes to uvicorn
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            event(
                log,
                "http.unhandled_error",
                logging.ERROR,
                service=self.service,
                method=str(scope.get("method", "")),
                route=route,
                response_started=started,
                **describe_exception(exc),
            )
            if started:
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(_INTERNAL_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _INTERNAL_BODY})


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
    app.add_middleware(ContainErrors, service=title)
    return app


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) as a (host, port) pair."""
    host, sep, port = listen.rpartition(":")
    valid_port = port.isascii() and port.isdigit() and len(port) <= 5 and int(port) < 65536
    if not sep or not valid_port or not host:
        raise ConfigError(f"listen address {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


class _Server(uvicorn.Server):
    def capture_signals(self) -> AbstractContextManager[None]:  # type: ignore[override]
        return nullcontext()


def uvicorn_config(app: Any, host: str, port: int, log_level: str = "warning", **options: Any) -> uvicorn.Config:
    """uvicorn's settings for our services: no logging config of its own (its loggers propagate to
    the structured handler), no access log (paths carry ids and tokens), no ``Server`` header."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level,
        access_log=False,
        server_header=False,
        **options,
    )


async def start_http(app: Any, listen: str) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Serve ``app`` on ``listen`` in a task; returns once the socket listens."""
    host, port = parse_listen(listen)
    server = _Server(uvicorn_config(app, host, port, lifespan="off"))
    task = asyncio.create_task(server.serve(), name=f"http {listen}")
    while not server.started:
        if task.done():
            task.result()
            raise ConfigError(f"cannot listen on {listen}")
        await asyncio.sleep(0.02)
    return server, task
