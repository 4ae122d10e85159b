"""Statistical schema counts rendered as JSON Schema (OpenAPI 3.1 dialect)."""

from __future__ import annotations

from typing import Any

from tracehound.model.redaction import VALUE_KEY
from tracehound.profiles.schema import SchemaNode

REQUIRED_SHARE = 0.95
"""A property present in at least this share of its objects is required."""
ENUM_MAX = 8
ENUM_MIN_SAMPLES = 10


def to_json_schema(node: SchemaNode | None, depth: int = 0) -> dict[str, Any]:
    """A JSON Schema for the values counted in ``node``; ``{}`` when nothing was seen."""
    if node is None or node.count == 0:
        return {}
    kind = node.dominant_type()
    out: dict[str, Any] = {}
    nullable = node.types.get("null", 0) > 0
    if kind is None:
        return {"type": "null"}
    out["type"] = [kind, "null"] if nullable else kind
    if kind == "string":
        fmt = node.dominant_format()
        if fmt:
            out["format"] = fmt
        elif (
            node.enum
            and len(node.enum) <= ENUM_MAX
            and node.types.get("string", 0) >= max(ENUM_MIN_SAMPLES, 3 * len(node.enum))
        ):
            out["enum"] = list(node.enum)
    elif kind == "integer":
        out["format"] = "int64"
    elif kind == "object":
        objects = node.types.get("object", 0)
        named = {key: child for key, child in node.properties.items() if key != VALUE_KEY}
        out["properties"] = {key: to_json_schema(child, depth + 1) for key, child in sorted(named.items())}
        required = sorted(key for key, child in named.items() if objects and child.count >= REQUIRED_SHARE * objects)
        if required:
            out["required"] = required
        keyed = node.properties.get(VALUE_KEY)
        if keyed is not None:  # a map whose keys are data: its values' schema, no key names
            out["additionalProperties"] = to_json_schema(keyed, depth + 1) or True
        elif node.extra_keys:
            out["additionalProperties"] = True
    elif kind == "array":
        out["items"] = to_json_schema(node.items, depth + 1)
    return out
