"""Findings as a team works them: posture grouped per service and cause, and ids that survive runs.

The inventory keeps findings per endpoint (risk scores need them there). A team does not: one
``Server: openresty`` banner or one missing HSTS header is one thing to fix on the service, not
one ticket per endpoint. So posture findings whose cause is the service's configuration (response
headers, cookie flags, token issuance) are merged here into one finding per (type, service,
location), listing the endpoints they were seen on. Request attacks stay grouped per (type,
endpoint, location), as the store aggregates them.

Every finding gets an ``id``: a hash of its natural key without the tenant or anything that
changes from run to run, so the JSON report, the read API and SARIF name the same finding the
same way in every run over the same traffic, and a ticket can follow it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracehound.analyzer.inventory import Finding
from tracehound.model import DetectionType, Severity
from tracehound.profiles.findings import FindingStats

MAX_LISTED_ENDPOINTS = 50
"""Endpoints listed on one service-wide finding; ``endpoint_count`` goes on beyond it."""

SERVICE_WIDE = "*"
"""``method`` and ``path`` of a finding that holds for the service, not one endpoint."""

_ID_DOMAIN = "tracehound.finding.v1"


def finding_id(type: str, service: str, method: str, path: str, location: str) -> str:
    """16 hex digits naming a finding by its natural key (no tenant, no counts, no times)."""
    # JSON, not a separator join: no choice of field values makes two keys encode alike.
    encoded = json.dumps([_ID_DOMAIN, type, service, method, path, location], ensure_ascii=True)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def is_service_wide(f: Finding) -> bool:
    """Whether a finding's cause is the service's configuration rather than one endpoint.

    Banners, missing HSTS, CORS and cookie flags are response headers the server or gateway sets;
    a weak JWT is issued by the service's identity provider and presented to every endpoint. A
    stack trace in a response body, by contrast, is one handler's bug and stays per endpoint.
    """
    if f.type == DetectionType.SECURITY_MISCONFIGURATION.value:
        return f.location.startswith(("response.header.", "response.cookie."))
    return f.type == DetectionType.JWT_WEAKNESS.value


@dataclass
class ReportedFinding(Finding):
    """One finding of the report: an endpoint's, or a service's with the endpoints it covers
    (``method`` and ``path`` are then ``SERVICE_WIDE``)."""

    scope: str = "endpoint"
    """``endpoint``, or ``service`` for a service-wide posture finding."""
    endpoints: list[tuple[str, str]] = field(default_factory=list)
    """(method, path) of every endpoint it was seen on, sorted."""

    @property
    def id(self) -> str:
        return finding_id(self.type, self.service, self.method, self.path, self.location)


def report_findings(findings: Sequence[Finding]) -> list[ReportedFinding]:
    """The report's findings: service-wide posture merged per (type, service, location), ordered."""
    out: list[ReportedFinding] = []
    grouped: dict[tuple[str, str, str], ReportedFinding] = {}
    for f in findings:
        if not is_service_wide(f):
            out.append(
                ReportedFinding(
                    f.type, f.service, f.method, f.path, f.location, f.stats, "endpoint", [(f.method, f.path)]
                )
            )
            continue
        key = (f.type, f.service, f.location)
        g = grouped.get(key)
        if g is None:
            g = grouped[key] = ReportedFinding(
                f.type, f.service, SERVICE_WIDE, SERVICE_WIDE, f.location, FindingStats(), "service"
            )
            out.append(g)
        g.stats.merge(f.stats)
        g.endpoints.append((f.method, f.path))
    for g in grouped.values():
        g.endpoints = sorted(set(g.endpoints), key=lambda e: (e[1], e[0]))
    out.sort(key=lambda r: (-Severity(r.stats.severity).rank, r.type, r.service, r.path, r.method, r.location))
    return out
