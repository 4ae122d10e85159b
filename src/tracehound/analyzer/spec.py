"""Reference specs: the OpenAPI document a team thinks describes its API (2.0 or 3.x, JSON or YAML).

Its templates win when matching traffic, and comparing it with what was observed gives drift:
shadow endpoints (called, not documented), zombie endpoints (deprecated, still called), spec-only
endpoints (documented, never called) and undocumented parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from tracehound._documents import DocumentError, load_json, load_yaml
from tracehound.errors import InputError

MAX_SPEC_BYTES = 64 * 1024 * 1024
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class SpecOperation:
    method: str
    path: str
    """As written in the spec, relative to the server's base path."""
    full_path: str
    """Base path + path: what appears in traffic."""
    deprecated: bool = False
    query_parameters: frozenset[str] = frozenset()
    header_parameters: frozenset[str] = frozenset()

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(s for s in self.full_path.split("/") if s)


@dataclass
class ReferenceSpec:
    source: str
    hosts: frozenset[str]
    """Hosts named by the spec's servers; empty means it applies to every service."""
    operations: list[SpecOperation] = field(default_factory=list)

    def applies_to(self, service: str) -> bool:
        return not self.hosts or service in self.hosts


def load_spec(path: Path) -> ReferenceSpec:
    """Read an OpenAPI 2.0/3.x document; InputError naming the file when it is not one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the reference spec: {exc.strerror}") from exc
    if len(raw) > MAX_SPEC_BYTES:
        raise InputError(f"{path}: reference spec larger than {MAX_SPEC_BYTES} bytes")
    try:
        is_json = path.suffix.lower() == ".json" or raw.lstrip()[:1] == b"{"
        doc = load_json(raw) if is_json else load_yaml(raw)
    except DocumentError as exc:  # before ValueError, which it is
        raise InputError(f"{path}: reference spec refused: {exc}") from None
    except (ValueError, OverflowError, yaml.YAMLError) as exc:  # OverflowError: PyYAML's chr() of "\U99999999"
        raise InputError(f"{path}: not valid JSON or YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise InputError(f"{path}: not an OpenAPI document (no 'paths' object)")
    return parse_spec(doc, str(path))


def parse_spec(doc: dict[str, Any], source: str) -> ReferenceSpec:
    hosts: set[str] = set()
    base = ""
    if isinstance(doc.get("servers"), list):
        for index, server in enumerate(doc["servers"]):
            url = str(server.get("url", "")) if isinstance(server, dict) else ""
            variables = server.get("variables") if isinstance(server, dict) else None
            for var, spec in variables.items() if isinstance(variables, dict) else ():
                if isinstance(spec, dict):
                    url = url.replace("{" + str(var) + "}", str(spec.get("default", "")))
            try:
                parsed = urlparse(url)
            except ValueError as exc:
                raise InputError(f"{source}: servers[{index}].url is not a valid URL: {exc}") from None
            if parsed.hostname:
                hosts.add(parsed.hostname.lower())
            if not base and parsed.path.strip("/"):
                base = "/" + parsed.path.strip("/")
    elif isinstance(doc.get("host"), str):
        hosts.add(doc["host"].split(":")[0].lower())
        base = "/" + str(doc.get("basePath") or "").strip("/") if str(doc.get("basePath") or "").strip("/") else ""
    spec = ReferenceSpec(source, frozenset(hosts))
    for path, item in doc["paths"].items():
        if not isinstance(item, dict) or not isinstance(path, str):
            continue
        shared: list[Any] = item["parameters"] if isinstance(item.get("parameters"), list) else []
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            own: list[Any] = op["parameters"] if isinstance(op.get("parameters"), list) else []
            params = [*shared, *own]
            resolved = [_resolve(doc, p) for p in params]
            spec.operations.append(
                SpecOperation(
                    method=method.upper(),
                    path=path,
                    full_path=(base + "/" + path.strip("/")).rstrip("/") or "/",
                    deprecated=bool(op.get("deprecated")),
                    query_parameters=frozenset(str(p.get("name")) for p in resolved if p.get("in") == "query"),
                    header_parameters=frozenset(
                        str(p.get("name")).lower() for p in resolved if p.get("in") == "header"
                    ),
                )
            )
    return spec


def _resolve(doc: dict[str, Any], node: Any, depth: int = 0) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node and depth < 20:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return {}
            target = target[part]
        node, depth = target, depth + 1
    return node if isinstance(node, dict) else {}
