"""Helpers of the read API tests: keys of two tenants, a bearer header and a small published report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():
    # Starlette 1.x asks for ``httpx2`` under its TestClient; the httpx it still supports is what we pin.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = [
    "Keys",
    "TestClient",
    "bearer",
    "endpoint",
    "finding",
    "openapi",
    "report",
]


@dataclass
class Keys:
    read_a: str
    read_b: str
    ingest_a: str
    admin_a: str
    revoked_a: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def endpoint(method: str, path: str, risk: int, count: int, sensitive: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "method": method,
        "path": path,
        "count": count,
        "first_seen": "2026-11-25T10:00:00Z",
        "last_seen": "2026-11-25T11:00:00Z",
        "status": {"200": count},
        "latency_ms": {"p50": 1.0, "p95": 2.0, "p99": 3.0},
        "auth": ["bearer"],
        "parameters": [],
        "request_body": None,
        "request_media_types": [],
        "responses": {"200": {"type": "object", "properties": {}}},
        "sensitive": [{"location": "response.body.email", "type": t, "count": count} for t in sensitive],
        "origin": "observed",
        "risk": {"score": risk, "factors": [{"name": "sensitive_data", "points": risk}]},
    }


def finding(kind: str, severity: str, service: str, path: str, last_seen: str) -> dict[str, Any]:
    return {
        "type": kind,
        "severity": severity,
        "owasp": None,
        "service": service,
        "method": "GET",
        "path": path,
        "location": "request.query.q",
        "count": 2,
        "first_seen": "2026-11-25T10:00:00Z",
        "last_seen": last_seen,
        "clients": ["203.0.113.9"],
        "evidence": "q=<script>",
    }


def report(service: str, n: int = 5) -> dict[str, Any]:
    """``n`` endpoints of ``service`` with risks 0, 10, 20, ... and two findings."""
    endpoints = [
        endpoint("GET" if i % 2 == 0 else "POST", f"/items{i}/{{id}}", 10 * i, 100 - i, ("email",) if i % 2 else ())
        for i in range(n)
    ]
    findings = [
        finding("xss", "medium", service, "/items0/{id}", "2026-11-25T11:00:00Z"),
        finding("sqli", "critical", service, "/items1/{id}", "2026-11-27T11:00:00Z"),
    ]
    return {
        "version": 1,
        "summary": {"transactions": 0, "rejected": 0, "services": 1, "endpoints": n, "findings": 2},
        "run": {},
        "services": [{"name": service, "endpoints": endpoints}],
        "findings": findings,
    }


def openapi(service: str) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": service, "version": "observed"}, "paths": {"/items0/{id}": {}}}
