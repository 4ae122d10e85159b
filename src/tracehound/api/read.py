"""The read API: the published inventory, findings and OpenAPI documents of the caller's tenant.

It serves what the analyzer published with ``Store.replace_inventory`` (the same shapes as the
``--json`` report of REPORT_FORMAT.md, each object with an ``id``), filtered, sorted and paged in
SQL so a tenant with tens of thousands of endpoints answers in milliseconds. Every query is scoped
to the tenant of the caller's key: another tenant's ids answer 404, never 403, so they reveal
nothing. ``/healthz``, ``/readyz`` and ``/metrics`` are unauthenticated and carry no payloads.

Every query parameter is bounded (``limit`` 1..1000, ``offset`` 0..2**31-1, ``min_risk`` 0..100,
times finite and within years 1970..9999): a value out of range is a 400 whose reason names the
parameter and the rule, never the value sent, and never reaches the store, where a number past
64 bits would raise instead of answer; a NUL character anywhere is a 400 too. An exception
nothing expected is a plain 500 (see :class:`tracehound.cluster.http.ContainErrors`).

Handlers are plain functions (FastAPI runs them in its thread pool) because the store is sync.
This module does not use ``from __future__ import annotations``: FastAPI reads the handlers'
annotations at runtime, and they name ``Caller``, a dependency bound to this app's store.
"""

import datetime as dt
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any, Literal

import msgspec
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from tracehound import __version__
from tracehound.api.auth import ApiError, KeyAuth
from tracehound.cluster.http import ContainErrors
from tracehound.errors import StoreError
from tracehound.store.base import EndpointQuery, FindingQuery, KeyInfo, Store

__all__ = ["ReadMetrics", "create_read_app"]

MAX_PAGE = 1000
MAX_OFFSET = 2**31 - 1
"""Far beyond any tenant's endpoint or finding count, and well inside every database's integers."""
MAX_EPOCH = 253_402_300_799.0
"""9999-12-31T23:59:59Z, the last instant ISO 8601 (and Python's datetime) can write."""

_ENCODER = msgspec.json.Encoder()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class FastJSON(Response):
    """JSON through msgspec: report objects are large, and FastAPI's encoder would dominate latency."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _ENCODER.encode(content)


class ReadMetrics:
    """Counters of the read API, in their own registry unless one is given."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "tracehound_api_requests",
            "Read API requests by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tracehound_api_request_duration_seconds",
            "Read API request latency by route.",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "tracehound_api_auth_failures",
            "Read API requests refused by authentication, by reason (missing, invalid, forbidden).",
            ["reason"],
            registry=self.registry,
        )


class _MetricsMiddleware:
    """Counts requests by route template (never by concrete path: ids would explode the labels)."""

    def __init__(self, app: ASGIApp, metrics: ReadMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(label, str(status[0])).inc()
            self.metrics.latency.labels(label).observe(time.perf_counter() - started)


def _timestamp(value: str | None, name: str) -> float | None:
    """Epoch seconds or ISO 8601 (``2026-11-25T10:00:00Z``), from 1970 to 9999; else a 400."""
    if value is None or value == "":
        return None
    invalid = ApiError(
        400, "bad_request", f"{name}: expected an ISO 8601 time or epoch seconds, between 1970 and the year 9999"
    )
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise invalid from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        try:
            seconds = parsed.timestamp()
        except (OverflowError, ValueError):
            raise invalid from None
    if not math.isfinite(seconds) or not 0.0 <= seconds <= MAX_EPOCH:
        raise invalid
    return seconds


def _refuse_nul(request: Request) -> None:
    """A NUL character in a parameter is a 400: PostgreSQL refuses it in text, which read as an outage (503)."""
    if "\x00" in request.url.path or any("\x00" in v for _, v in request.query_params.multi_items()):
        raise ApiError(400, "bad_request", "parameters must not contain NUL characters")


def _page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    next_offset = offset + len(items)
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": next_offset if next_offset < total else None,
    }


def create_read_app(
    store: Store,
    *,
    metrics: ReadMetrics | None = None,
    ops: bool = True,
    title: str = "Tracehound read API",
) -> FastAPI:
    """The read API over ``store``; ``ops`` adds ``/healthz``, ``/readyz`` and ``/metrics``."""
    metrics = metrics or ReadMetrics()
    app = FastAPI(
        title=title,
        version=__version__,
        description="API inventory, sensitive data and findings of your tenant, as reconstructed from traffic. "
        "Authenticate with `Authorization: Bearer <key>` (role `read` or `admin`).",
        default_response_class=FastJSON,
        dependencies=[Depends(_refuse_nul)],
    )
    auth = KeyAuth(store, "read", on_failure=lambda reason: metrics.auth_failures.labels(reason).inc())
    Caller = Annotated[KeyInfo, Depends(auth)]

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "reason": exc.reason}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"error": "unavailable", "reason": "the store cannot be reached; retry"}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "bad_request", "reason": _validation_reason(exc)}, status_code=400)

    def not_found(what: str) -> ApiError:
        return ApiError(404, "not_found", f"no {what} with this id in your tenant")

    @app.get("/v1/services", summary="Services of the tenant, with endpoint and finding counts")
    def services(caller: Caller) -> Any:
        return {"services": store.list_services(caller.tenant)}

    @app.get("/v1/endpoints", summary="Endpoints, filtered, sorted and paged")
    def endpoints(
        caller: Caller,
        service: Annotated[str | None, Query(description="Only this service (host).")] = None,
        method: Annotated[str | None, Query(description="Only this HTTP method.")] = None,
        sensitive_type: Annotated[
            str | None, Query(alias="sensitive", description="Only endpoints carrying this sensitive-data type.")
        ] = None,
        min_risk: Annotated[int | None, Query(ge=0, le=100, description="Minimum risk score.")] = None,
        sort: Literal["risk", "count", "path", "last_seen"] = "risk",
        order: Annotated[
            Literal["asc", "desc"] | None, Query(description="Default: desc, except asc for path.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Any:
        q = EndpointQuery(
            service=service,
            method=method,
            sensitive_type=sensitive_type,
            min_risk=min_risk,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
        )
        page = store.query_endpoints(caller.tenant, q)
        return _page(page.items, page.total, page.limit, page.offset)

    @app.get("/v1/endpoints/{endpoint_id}", summary="One endpoint, as in the JSON report")
    def endpoint(caller: Caller, endpoint_id: Annotated[str, Path(max_length=64)]) -> Any:
        found = store.get_endpoint(caller.tenant, endpoint_id)
        if found is None:
            raise not_found("endpoint")
        return found

    @app.get("/v1/findings", summary="Findings, filtered by type, severity, service and time")
    def findings(
        caller: Caller,
        type: Annotated[str | None, Query(description="Finding type (REPORT_FORMAT.md vocabulary).")] = None,
        severity: Annotated[
            Literal["info", "low", "medium", "high", "critical"] | None,
            Query(description="Minimum severity."),
        ] = None,
        service: str | None = None,
        since: Annotated[str | None, Query(description="Last seen at or after (ISO 8601 or epoch seconds).")] = None,
        until: Annotated[str | None, Query(description="First seen at or before (ISO 8601 or epoch seconds).")] = None,
        sort: Literal["last_seen", "severity", "count"] = "last_seen",
        order: Literal["asc", "desc"] = "desc",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Any:
        q = FindingQuery(
            type=type,
            severity=severity,
            service=service,
            since=_timestamp(since, "since"),
            until=_timestamp(until, "until"),
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
        )
        page = store.query_findings(caller.tenant, q)
        return _page(page.items, page.total, page.limit, page.offset)

    @app.get("/v1/findings/{finding_id}", summary="One finding, as in the JSON report")
    def finding(caller: Caller, finding_id: Annotated[str, Path(max_length=64)]) -> Any:
        found = store.get_finding(caller.tenant, finding_id)
        if found is None:
            raise not_found("finding")
        return found

    @app.get("/v1/services/{name}/openapi.json", summary="The OpenAPI 3.1 document reconstructed for a service")
    def service_openapi(caller: Caller, name: Annotated[str, Path(max_length=255)]) -> Any:
        doc = store.service_openapi(caller.tenant, name)
        if doc is None:
            raise ApiError(404, "not_found", "no OpenAPI document for that service in your tenant")
        return doc

    @app.get("/v1/stats", summary="Transactions, rejected, services, endpoints and findings of the tenant")
    def stats(caller: Caller) -> Any:
        return store.inventory_stats(caller.tenant)

    if ops:

        @app.get("/healthz", include_in_schema=False)
        def healthz() -> Any:
            return {"status": "ok"}

        @app.get("/readyz", include_in_schema=False)
        def readyz() -> Any:
            try:
                store.ping()
            except StoreError:
                return JSONResponse({"status": "unavailable", "store": "unreachable"}, status_code=503)
            return {"status": "ready"}

        @app.get("/metrics", include_in_schema=False)
        def metrics_endpoint() -> Response:
            return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(ContainErrors, service="read_api")
    app.add_middleware(_MetricsMiddleware, metrics=metrics)  # outermost: it counts the 500s ContainErrors sends
    return app


def _validation_reason(exc: RequestValidationError) -> str:
    """``<parameter>: <rule>`` of the first error; the rule is pydantic's message, which states the
    constraint, unless it happens to contain the value sent (never echoed: it can be anything)."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path")) or "request"
    message = str(first.get("msg", "invalid value"))
    sent = first.get("input")
    if isinstance(sent, str) and len(sent) >= 3 and sent in message:
        message = "invalid value"
    return f"{where}: {message}"
