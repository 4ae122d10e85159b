"""Findings as SARIF 2.1.0, for code-scanning dashboards and CI gates."""

from __future__ import annotations

from typing import Any

from tracehound import __version__

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def render_sarif(report: dict[str, Any]) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in report["findings"]:
        rules.setdefault(
            f["type"],
            {
                "id": f["type"],
                "name": f["type"],
                "shortDescription": {"text": f["type"].replace("_", " ")},
                "properties": {"owasp": f["owasp"]} if f["owasp"] else {},
            },
        )
        results.append(
            {
                "ruleId": f["type"],
                "level": _LEVEL.get(f["severity"], "warning"),
                "message": {
                    "text": f"{f['type']} at {f['location']} of {f['method']} {f['path']} "
                    f"({f['count']} times): {f['evidence']}"
                },
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": f"https://{f['service']}{f['path']}"}},
                        "logicalLocations": [
                            {"name": f["location"], "fullyQualifiedName": f"{f['method']} {f['path']}"}
                        ],
                    }
                ],
                "properties": {
                    "severity": f["severity"],
                    "count": f["count"],
                    "first_seen": f["first_seen"],
                    "last_seen": f["last_seen"],
                    "clients": f["clients"],
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
