"""A 0-100 risk score per endpoint, with the factors that make it up (so it can be argued with)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracehound.model import Severity

if TYPE_CHECKING:
    from tracehound.analyzer.inventory import Endpoint, Finding

SECRET_TYPES = frozenset({"password", "api_key", "aws_access_key", "private_key", "jwt", "bearer_token"})
REGULATED_TYPES = frozenset({"credit_card", "us_ssn", "iban", "passport_number"})
_SEVERITY_POINTS = {
    Severity.CRITICAL: 40,
    Severity.HIGH: 30,
    Severity.MEDIUM: 15,
    Severity.LOW: 5,
    Severity.INFO: 0,
}


def risk_of(ep: Endpoint, sensitive: Sequence[dict[str, Any]], findings: Sequence[Finding]) -> dict[str, Any]:
    factors: list[dict[str, Any]] = []
    types = {s["type"] for s in sensitive}
    if types:
        points = 10 + 10 * len(types & REGULATED_TYPES) + 5 * len(types & SECRET_TYPES) + 2 * len(types)
        factors.append({"name": "sensitive_data", "points": min(points, 35)})
    if findings:
        worst = max((Severity(f.stats.severity) for f in findings), key=lambda s: s.rank)
        factors.append({"name": "findings", "points": _SEVERITY_POINTS[worst] + min(len(findings), 5)})
    prof = ep.profile
    if prof.count and prof.auth.get("none", 0) >= 0.5 * prof.count:
        factors.append({"name": "unauthenticated", "points": 20 if types else 10})
    errors = sum(n for s, n in prof.statuses.items() if s.startswith("5"))
    if prof.count and errors / prof.count >= 0.05:
        factors.append({"name": "server_errors", "points": 5})
    if ep.origin == "observed" and ep.has_spec:
        factors.append({"name": "undocumented", "points": 10})
    if ep.spec is not None and ep.spec.deprecated and prof.count:
        factors.append({"name": "deprecated_in_use", "points": 10})
    return {"score": min(100, sum(f["points"] for f in factors)), "factors": factors}
