"""One OpenAPI 3.1 document per service, reconstructed from traffic.

A path item only has fields for the eight standard methods; an operation seen with any other
method (WebDAV's ``PROPFIND``, a scanner's ``TEST_METHOD_NOT_IN_SPEC``) goes under the path item's
``x-tracehound-other-methods`` extension, keyed by the method as seen, so the document still
validates (OpenAPI 3.2 calls the same map ``additionalOperations``).
"""

from __future__ import annotations

import re
from typing import Any

from tracehound.analyzer.inventory import Endpoint
from tracehound.report.json_report import auth_schemes, parameters
from tracehound.report.schema import to_json_schema

STANDARD_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
"""The methods an OpenAPI 3.1 path item has a field for."""
OTHER_METHODS = "x-tracehound-other-methods"
"""Path item extension holding ``{METHOD: operation}`` for every other method."""

_SECURITY: dict[str, dict[str, Any]] = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "basic": {"type": "http", "scheme": "basic"},
    "digest": {"type": "http", "scheme": "digest"},
}


def _scheme(label: str) -> tuple[str, dict[str, Any]] | None:
    if label in _SECURITY:
        return label, _SECURITY[label]
    parts = label.split(":", 2)
    if len(parts) == 3:
        kind, where, name = parts
        key = f"{kind}_{where}_{name}".replace("-", "_")
        return key, {"type": "apiKey", "in": where, "name": name}
    return None


def _operation(ep: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": _operation_id(ep), "x-tracehound-count": ep.profile.count}
    params = []
    for p in parameters(ep):
        if p["in"] == "header" and p["name"] in ("authorization",):
            continue
        schema: dict[str, Any] = {"type": p["type"]}
        if p["format"]:
            schema["format"] = p["format"]
        if p["type"] == "array":
            schema["items"] = {"type": "string"}
        params.append({"name": p["name"], "in": p["in"], "required": bool(p["required"]), "schema": schema})
    if params:
        op["parameters"] = params
    prof = ep.profile
    if prof.request_media:
        media = max(sorted(prof.request_media), key=lambda m: prof.request_media[m])
        op["requestBody"] = {"content": {media: {"schema": to_json_schema(prof.request_body)}}}
    responses: dict[str, Any] = {}
    for status, node in sorted(prof.responses.items()):
        resp: dict[str, Any] = {"description": f"Observed {prof.statuses.get(status, 0)} times"}
        schema = to_json_schema(node)
        if schema:
            media = (
                max(sorted(prof.response_media), key=lambda m: prof.response_media[m]) if prof.response_media else ""
            )
            resp["content"] = {media or "application/json": {"schema": schema}}
        responses[status if status.isdigit() and len(status) == 3 else "default"] = resp
    op["responses"] = responses or {"default": {"description": "No response observed"}}
    security: list[dict[str, list[str]]] = []
    for label in auth_schemes(ep):
        if label == "none":
            security.append({})
            continue
        found = _scheme(label)
        if found:
            security.append({found[0]: []})
    if security:
        op["security"] = security
    if ep.spec is not None and ep.spec.deprecated:
        op["deprecated"] = True
    return op


def _operation_id(ep: Endpoint) -> str:
    # ``{name}:cancel`` gives ``Name`` and ``Cancel``: an id made of letters and digits only.
    words = [w for s in ep.template.segments for w in re.split(r"[^A-Za-z0-9_]+", s)] or ["root"]
    return ep.method.lower() + "".join(w[:1].upper() + w[1:] for w in words if w)


def openapi_document(service: str, endpoints: list[Endpoint], scheme: str = "https") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemes: dict[str, Any] = {}
    op_ids: set[str] = set()
    for ep in endpoints:
        if ep.origin == "spec":
            continue
        op = _operation(ep)
        base, n = op["operationId"], 2
        while op["operationId"] in op_ids:
            op["operationId"], n = f"{base}{n}", n + 1
        op_ids.add(op["operationId"])
        item = paths.setdefault(ep.path, {})
        if ep.method.lower() in STANDARD_METHODS:
            item[ep.method.lower()] = op
        else:
            item.setdefault(OTHER_METHODS, {})[ep.method] = op
        for label in auth_schemes(ep):
            found = _scheme(label)
            if found:
                schemes[found[0]] = found[1]
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": service,
            "version": "observed",
            "description": "Reconstructed from traffic by Tracehound.",
        },
        "servers": [{"url": f"{scheme}://{service}"}],
        "paths": paths,
    }
    if schemes:
        doc["components"] = {"securitySchemes": schemes}
    return doc
