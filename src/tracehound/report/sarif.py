"""Findings as SARIF 2.1.0, for code-scanning dashboards and CI gates."""

from __future__ import annotations

import uuid
from typing import Any

from tracehound import __version__

FINGERPRINT = "tracehoundFindingId/v1"
"""The `partialFingerprints` key holding the finding's stable id (the JSON report's ``id``)."""

_NAMESPACE = uuid.UUID("5b0c3f7e-2d1a-5e8b-9c4f-6a7d8e9f0a1b")

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def render_sarif(report: dict[str, Any]) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in report["findings"]:
        service_wide = f.get("scope") == "service"
        where = "the service" if service_wide else f"{f['method']} {f['path']}"
        n_endpoints = f.get("endpoint_count", 1)
        rules.setdefault(
            f["type"],
            {
                "id": f["type"],
                "name": f["type"],
                "shortDescription": {"text": f["type"].replace("_", " ")},
                "properties": {"owasp": f["owasp"]} if f["owasp"] else {},
            },
        )
        scope = f" on {n_endpoints} endpoints" if service_wide else ""
        result: dict[str, Any] = {
            "ruleId": f["type"],
            "level": _LEVEL.get(f["severity"], "warning"),
            "message": {
                "text": f"{f['type']} at {f['location']} of {where}{scope} ({f['count']} times): {f['evidence']}"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"https://{f['service']}{'/' if service_wide else f['path']}"}
                    },
                    "logicalLocations": [{"name": f["location"], "fullyQualifiedName": where}],
                }
            ],
        }
        if f.get("id"):
            # The same finding has the same id in every run: dashboards match results across runs by it.
            result["partialFingerprints"] = {FINGERPRINT: f["id"]}
            result["correlationGuid"] = str(uuid.uuid5(_NAMESPACE, f["id"]))
        results.append(
            {
                **result,
                "properties": {
                    "severity": f["severity"],
                    "count": f["count"],
                    "first_seen": f["first_seen"],
                    "last_seen": f["last_seen"],
                    "clients": f["clients"],
                    "client_count": f.get("client_count", len(f["clients"])),
                    "endpoints": f.get("endpoints", []),
                },
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tracehound",
                        "version": __version__,
                        "informationUri": "https://github.com/tracehound/tracehound",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }
