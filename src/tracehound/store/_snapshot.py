"""The published inventory as rows: the report cut into indexed rows, and the queries over them.

Shared by the SQLite and PostgreSQL adapters; SQL is written with ``?`` placeholders and each
adapter translates them. Ids are stable across snapshots (a hash of the tenant and the natural
key), so a client can follow an endpoint while the analyzer republishes; a finding keeps the id
the report gave it (`report.findings.finding_id`), the one SARIF carries too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from tracehound.model import Severity
from tracehound.store.base import EndpointQuery, FindingQuery

JSON_ENCODER = msgspec.json.Encoder()
JSON_DECODER = msgspec.json.Decoder()

MAX_LIMIT = 1000

_ENDPOINT_ORDER = {
    "risk": ("risk", "desc"),
    "count": ("count", "desc"),
    "path": ("path", "asc"),
    "last_seen": ("last_seen", "desc"),
}
_FINDING_ORDER = {"last_seen": "last_seen", "severity": "severity_rank", "count": "count"}


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def epoch(iso: Any) -> float | None:
    if not isinstance(iso, str):
        return None
    try:
        return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def severity_rank(name: str) -> int:
    try:
        return Severity(name).rank
    except ValueError:
        return 0


@dataclass
class SnapshotRows:
    endpoints: list[tuple[Any, ...]] = field(default_factory=list)
    """(tenant, id, service, method, path, risk, count, last_seen, entry JSON)"""
    sensitive: list[tuple[str, str, str]] = field(default_factory=list)
    """(tenant, type, endpoint id)"""
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    """(tenant, id, type, severity, severity_rank, service, method, path, location, count,
    first_seen, last_seen, entry JSON)"""
    services: list[tuple[Any, ...]] = field(default_factory=list)
    """(tenant, name, endpoints, findings, max_risk, openapi JSON or None)"""
    summary: str = "{}"


def snapshot_rows(
    tenant: str, report: Mapping[str, Any], openapi: Mapping[str, Mapping[str, Any]] | None
) -> SnapshotRows:
    rows = SnapshotRows()
    findings_per_service: dict[str, int] = {}
    for f in report.get("findings", []):
        # The report's own id (tenant-independent, the same in SARIF); rows are keyed by (tenant, id).
        fid = f.get("id") or stable_id(
            tenant, "finding", f["type"], f["service"], f["method"], f["path"], f["location"]
        )
        entry = {**f, "id": fid}
        findings_per_service[f["service"]] = findings_per_service.get(f["service"], 0) + 1
        rows.findings.append(
            (
                tenant,
                fid,
                f["type"],
                f["severity"],
                severity_rank(f["severity"]),
                f["service"],
                f["method"],
                f["path"],
                f["location"],
                int(f.get("count") or 0),
                epoch(f.get("first_seen")),
                epoch(f.get("last_seen")),
                JSON_ENCODER.encode(entry).decode(),
            )
        )
    for service in report.get("services", []):
        name = service["name"]
        max_risk = 0
        for ep in service["endpoints"]:
            eid = stable_id(tenant, "endpoint", name, ep["method"], ep["path"])
            risk = int((ep.get("risk") or {}).get("score") or 0)
            max_risk = max(max_risk, risk)
            entry = {"id": eid, "service": name, **ep}
            rows.endpoints.append(
                (
                    tenant,
                    eid,
                    name,
                    ep["method"],
                    ep["path"],
                    risk,
                    int(ep.get("count") or 0),
                    epoch(ep.get("last_seen")),
                    JSON_ENCODER.encode(entry).decode(),
                )
            )
            for kind in sorted({s["type"] for s in ep.get("sensitive", [])}):
                rows.sensitive.append((tenant, kind, eid))
        doc = (openapi or {}).get(name)
        rows.services.append(
            (
                tenant,
                name,
                len(service["endpoints"]),
                findings_per_service.get(name, 0),
                max_risk,
                None if doc is None else JSON_ENCODER.encode(doc).decode(),
            )
        )
    rows.summary = JSON_ENCODER.encode(report.get("summary", {})).decode()
    return rows


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))


def endpoint_query(tenant: str, q: EndpointQuery) -> tuple[str, str, list[Any], list[Any]]:
    """(count SQL, page SQL, count params, page params) with ``?`` placeholders."""
    where = ["e.tenant = ?"]
    params: list[Any] = [tenant]
    if q.service is not None:
        where.append("e.service = ?")
        params.append(q.service)
    if q.method is not None:
        where.append("e.method = ?")
        params.append(q.method.upper())
    if q.min_risk is not None:
        where.append("e.risk >= ?")
        params.append(int(q.min_risk))
    if q.sensitive_type is not None:
        where.append("e.id IN (SELECT s.endpoint_id FROM inv_endpoint_sensitive s WHERE s.tenant = ? AND s.type = ?)")
        params += [tenant, q.sensitive_type]
    column, default_order = _ENDPOINT_ORDER[q.sort]
    direction = (q.order or default_order).upper()
    if q.sort == "path":
        order = f"e.path {direction}, e.service {direction}, e.method {direction}"
    else:
        order = f"e.{column} {direction}, e.id {direction}"
    limit, offset = _page(q.limit, q.offset)
    clause = " AND ".join(where)
    count_sql = f"SELECT COUNT(*) FROM inv_endpoints e WHERE {clause}"
    page_sql = f"SELECT e.entry FROM inv_endpoints e WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?"
    return count_sql, page_sql, params, [*params, limit, offset]


def finding_query(tenant: str, q: FindingQuery) -> tuple[str, str, list[Any], list[Any]]:
    where = ["tenant = ?"]
    params: list[Any] = [tenant]
    if q.type is not None:
        where.append("type = ?")
        params.append(q.type)
    if q.severity is not None:
        where.append("severity_rank >= ?")
        params.append(severity_rank(q.severity))
    if q.service is not None:
        where.append("service = ?")
        params.append(q.service)
    if q.since is not None:
        where.append("last_seen >= ?")
        params.append(float(q.since))
    if q.until is not None:
        where.append("first_seen <= ?")
        params.append(float(q.until))
    column = _FINDING_ORDER[q.sort]
    direction = q.order.upper()
    limit, offset = _page(q.limit, q.offset)
    clause = " AND ".join(where)
    count_sql = f"SELECT COUNT(*) FROM inv_findings WHERE {clause}"
    page_sql = (
        f"SELECT entry FROM inv_findings WHERE {clause} ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?"
    )
    return count_sql, page_sql, params, [*params, limit, offset]


def decode(entry: str | bytes) -> dict[str, Any]:
    out = JSON_DECODER.decode(entry)
    assert isinstance(out, dict)
    return out


def stats_of(summary: str | None, updated: float | None, totals: tuple[int, int]) -> dict[str, Any]:
    base = decode(summary) if summary else {}
    return {
        "transactions": totals[0],
        "rejected": totals[1],
        "services": int(base.get("services", 0)),
        "endpoints": int(base.get("endpoints", 0)),
        "findings": int(base.get("findings", 0)),
        "updated": None
        if updated is None
        else dt.datetime.fromtimestamp(updated, tz=dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
