"""The ``--json`` report, exactly as REPORT_FORMAT.md (contract v1); the read API returns the same shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracehound.analyzer.assets import asset_summary
from tracehound.analyzer.inventory import Endpoint, Finding, Inventory
from tracehound.analyzer.risk import risk_of
from tracehound.model import OWASP_CATEGORY, DetectionType
from tracehound.pipeline.segments import parameter_of
from tracehound.profiles.schema import SchemaNode
from tracehound.report.findings import MAX_LISTED_ENDPOINTS, ReportedFinding, report_findings
from tracehound.report.schema import to_json_schema

REPORT_VERSION = 1
REQUIRED_SHARE = 0.95

IsReported = Callable[[str, int, int, float, int], bool]
"""(type, hits, samples with a value, confidence sum, distinct masked forms) → reported?"""


def default_is_reported(kind: str, hits: int, seen: int, confidence_sum: float, distinct: int) -> bool:
    return seen > 0 and hits / seen >= 0.5 and confidence_sum / hits >= 0.5


@dataclass
class RunSummary:
    """Counts of the whole store (what the inventory reflects) and of this run."""

    transactions: int = 0
    rejected: int = 0
    run_transactions: int = 0
    run_rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    body_errors: dict[str, int] = field(default_factory=dict)
    bodies_already_decoded: int = 0


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parameters(ep: Endpoint) -> list[dict[str, Any]]:
    """Path, query, header and cookie parameters with JSON types and required flags."""
    prof = ep.profile
    out: list[dict[str, Any]] = []
    for i, seg in enumerate(ep.template.segments):
        name = parameter_of(seg)
        if name is None:
            continue
        kind = ep.template.kinds[i] if i < len(ep.template.kinds) else None
        ptype, fmt = _path_type(kind, prof.path_params.get(str(i)))
        out.append({"name": name, "in": "path", "type": ptype, "format": fmt, "required": True})
    total = max(prof.count, 1)
    for name, node in sorted(prof.query.items()):
        repeated = prof.query_repeats.get(name, 0) > 0
        ptype = "array" if repeated else (node.dominant_type() or "string")
        fmt = node.dominant_format() if ptype == "string" else ("int64" if ptype == "integer" else None)
        present = node.count - prof.query_repeats.get(name, 0)
        out.append(
            {
                "name": name,
                "in": "query",
                "type": ptype,
                "format": fmt,
                "required": present >= REQUIRED_SHARE * total,
            }
        )
    for name, node in sorted(prof.headers.items()):
        ptype = node.dominant_type() or "string"
        out.append(
            {
                "name": name,
                "in": "header",
                "type": ptype if ptype in ("integer", "number", "boolean") else "string",
                "format": None,
                "required": node.count >= REQUIRED_SHARE * total,
            }
        )
    for name, n in sorted(prof.cookies.items()):
        out.append(
            {
                "name": name,
                "in": "cookie",
                "type": "string",
                "format": None,
                "required": n >= REQUIRED_SHARE * total,
            }
        )
    return out


_KIND_TYPES: dict[str, tuple[str, str | None]] = {
    "int": ("integer", "int64"),
    "uuid": ("string", "uuid"),
    "date": ("string", "date"),
    "email": ("string", "email"),
}


def _path_type(kind: str | None, node: SchemaNode | None) -> tuple[str, str | None]:
    if kind in _KIND_TYPES:
        return _KIND_TYPES[kind]
    if kind is None and node is not None:
        t = node.dominant_type()
        if t == "integer":
            return "integer", "int64"
    return "string", None


def auth_schemes(ep: Endpoint) -> list[str]:
    """Schemes seen on at least 10% of the endpoint's requests (``none`` included)."""
    total = max(ep.profile.count, 1)
    return sorted(s for s, n in ep.profile.auth.items() if n >= 0.1 * total)


def sensitive(ep: Endpoint, is_reported: IsReported) -> list[dict[str, Any]]:
    """Reported sensitive locations; ``count`` estimates the values of the type seen.

    Bodies are classified in the samples studied in depth only, so a body location's hits scale
    by ``count / deep``: the figure then does not depend on how the traffic was split into runs
    or worker flushes, each of which studies its first samples in depth.
    """
    prof = ep.profile
    scale = prof.count / prof.deep if prof.deep else 1.0
    out = []
    for key, stat in sorted(prof.sensitive.items()):
        location, _, kind = key.rpartition("|")
        seen = prof.location_seen.get(location, stat.hits)
        if is_reported(kind, stat.hits, seen, stat.confidence_milli / 1000, len(stat.masks) or 2):
            in_body = location.startswith(("request.body", "response.body"))
            count = round(stat.hits * scale) if in_body else stat.hits
            out.append({"location": ep.rename_location(location), "type": kind, "count": count})
    return out


def endpoint_entry(ep: Endpoint, findings: list[Finding], is_reported: IsReported) -> dict[str, Any]:
    prof = ep.profile
    p50, p95, p99 = (prof.latency.quantile(q) for q in (0.5, 0.95, 0.99))
    sens = sensitive(ep, is_reported)
    risk = risk_of(ep, sens, findings)
    entry: dict[str, Any] = {
        "method": ep.method,
        "path": ep.path,
        "count": prof.count,
        "first_seen": iso(prof.first_seen),
        "last_seen": iso(prof.last_seen),
        "status": dict(sorted(prof.statuses.items())),
        "latency_ms": None
        if p50 is None
        else {"p50": round(p50, 2), "p95": round(p95 or 0.0, 2), "p99": round(p99 or 0.0, 2)},
        "auth": auth_schemes(ep) if prof.count else [],
        "parameters": parameters(ep),
        "request_body": to_json_schema(prof.request_body) or None,
        "request_media_types": sorted(prof.request_media),
        "responses": {status: to_json_schema(node) for status, node in sorted(prof.responses.items())},
        "sensitive": sens,
        "origin": ep.origin,
        "kind": ep.kind,
        "risk": risk,
    }
    if ep.spec is not None:
        documented = ep.spec.query_parameters
        entry["undocumented_parameters"] = sorted(
            f"query.{p['name']}" for p in entry["parameters"] if p["in"] == "query" and p["name"] not in documented
        )
    return entry


def finding_entry(f: ReportedFinding) -> dict[str, Any]:
    s = f.stats
    try:
        owasp = OWASP_CATEGORY.get(DetectionType(f.type))
    except ValueError:
        owasp = None
    return {
        "type": f.type,
        "severity": s.severity,
        "owasp": owasp,
        "service": f.service,
        "method": f.method,
        "path": f.path,
        "location": f.location,
        "count": s.count,
        "first_seen": iso(s.first_seen),
        "last_seen": iso(s.last_seen),
        "clients": list(s.clients),
        "evidence": s.evidence,
        "id": f.id,
        "scope": f.scope,
        "client_count": s.client_count(),
        "endpoint_count": len(f.endpoints),
        "endpoints": [{"method": m, "path": p} for m, p in f.endpoints[:MAX_LISTED_ENDPOINTS]],
    }


def build_report(
    inventory: Inventory, summary: RunSummary, is_reported: IsReported = default_is_reported
) -> dict[str, Any]:
    by_endpoint: dict[tuple[str, str, str], list[Finding]] = {}
    for f in inventory.findings:
        by_endpoint.setdefault((f.service, f.method, f.path), []).append(f)
    services = []
    for name, endpoints in inventory.services.items():
        services.append(
            {
                "name": name,
                "endpoints": [
                    endpoint_entry(ep, by_endpoint.get((name, ep.method, ep.path), []), is_reported) for ep in endpoints
                ],
                "assets": asset_summary(ep.profile for ep in inventory.assets.get(name, ())),
            }
        )
    reported = report_findings(inventory.findings)
    return {
        "version": REPORT_VERSION,
        "summary": {
            "transactions": summary.transactions,
            "rejected": summary.rejected,
            "services": len(inventory.services),
            "endpoints": inventory.endpoint_count(),
            "findings": len(reported),
        },
        "run": {
            "transactions": summary.run_transactions,
            "rejected": summary.run_rejected,
            "rejections": summary.rejections,
            "body_errors": summary.body_errors,
            "bodies_already_decoded": summary.bodies_already_decoded,
        },
        "services": services,
        "findings": [finding_entry(f) for f in reported],
    }
