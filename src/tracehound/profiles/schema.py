"""Statistical JSON schemas: every sample folds into counts, and counts merge by addition.

A `SchemaNode` remembers how often each JSON type, string format and (for enum-like strings) each
value was seen, and for objects how often each property was present. The OpenAPI renderer turns
the counts into a schema: `required` from presence ratios, `nullable` from null counts, `enum`
for low-cardinality strings. Numbers are counted by type, never kept: one may be a card or an
account number. Because the state is counts and capped sets, two nodes merge in any
order to the same result, which is what lets workers fold locally and flush deltas.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec

from tracehound.model.redaction import key_name, names_a_secret

MAX_DEPTH = 16
"""Deeper structure is counted at the cap but not descended into."""
MAX_PROPERTIES = 256
"""Objects with more distinct keys (maps keyed by ids) keep the rest in `extra_keys`."""
MAX_ENUM = 16
"""Distinct enum-like values kept per node; beyond it the node is not an enum."""
MAX_ENUM_VALUE = 32
MAX_ENUM_DIGITS = 2
SAMPLED_ITEMS = 8
"""Items of each array folded into the item schema: collections are homogeneous, so the first
items teach the schema, and the cost per sample stays bounded whatever the collection's size."""

_FORMAT_RE = re.compile(
    r"(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<datetime>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)"
    r"|(?P<date>\d{4}-\d\d-\d\d)"
    r"|(?P<email>[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})"
    r"|(?P<uri>[a-zA-Z][a-zA-Z0-9+.-]*://\S+)"
    r"|(?P<ipv4>(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))"
)
_FORMAT_NAMES = {"datetime": "date-time"}
_ENUM_RE = re.compile(r"[a-z][a-z0-9_.\-]*|[A-Z][A-Z0-9_.\-]*")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")


def string_format(value: str) -> str | None:
    """The JSON Schema format a string value has, if any."""
    n = len(value)
    if n < 7 or n > 2048:
        return None
    m = _FORMAT_RE.fullmatch(value)
    if m is not None:
        name = m.lastgroup or ""
        return _FORMAT_NAMES.get(name, name)
    if ":" in value and n <= 45 and _IPV6_CHARS.issuperset(value):
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return None
        return "ipv6"
    return None


def enum_candidate(value: str) -> bool:
    """Whether a string may be an enum member: a short lower- or upper-case token, few digits.

    Capitalised words, mixed strings and digit-bearing tokens are excluded, so names, passwords,
    keys and identifiers are not collected (the profile is stored, and must not hold sensitive
    values); what slips through is forgotten where a classifier finds sensitive data.
    """
    if len(value) > MAX_ENUM_VALUE or _ENUM_RE.fullmatch(value) is None:
        return False
    return sum(c.isdigit() for c in value) <= MAX_ENUM_DIGITS


MAX_SHAPES = 65_536
"""String values whose (format, enum candidacy) is remembered; the memo is emptied when full."""
MAX_SHAPE_VALUE = 64
"""Longer strings are not remembered (they rarely repeat)."""
_SHAPES: dict[str, tuple[str | None, bool]] = {}


def _shape(value: str) -> tuple[str | None, bool]:
    """``(string_format, enum_candidate)`` of a string, memoized: both are pure and values repeat."""
    fmt = string_format(value)
    shape = (fmt, fmt is None and enum_candidate(value))
    if len(value) <= MAX_SHAPE_VALUE:
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[value] = shape
    return shape


class SchemaNode(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """Counts describing every value seen at one place of a JSON document."""

    count: int = 0
    types: dict[str, int] = msgspec.field(default_factory=dict)
    formats: dict[str, int] = msgspec.field(default_factory=dict)
    enum: list[str] | None = msgspec.field(default_factory=list)
    """Sorted distinct enum-like values; None once a non-candidate or too many were seen."""
    properties: dict[str, SchemaNode] = msgspec.field(default_factory=dict)
    extra_keys: int = 0
    items: SchemaNode | None = None
    min_length: int | None = None
    max_length: int | None = None

    # ------------------------------------------------------------------ folding
    def observe(self, value: Any, depth: int = 0) -> None:
        """Fold one value in."""
        # The hot path of the profile stage (every value of every deep sample): strings, objects
        # and their children are handled inline, so a value costs one Python call, not two.
        self.count += 1
        types = self.types
        # Exact types first (decoded JSON is made of exactly these); subclasses take the slow way.
        cls = type(value)
        if cls is str:
            types["string"] = types.get("string", 0) + 1
            n = len(value)
            least = self.min_length
            if least is None or n < least:
                self.min_length = n
            most = self.max_length
            if most is None or n > most:
                self.max_length = n
            shape = _SHAPES.get(value)
            if shape is None:
                shape = _shape(value)
            fmt = shape[0]
            if fmt is not None:
                formats = self.formats
                formats[fmt] = formats.get(fmt, 0) + 1
            enum = self.enum
            if enum is not None:
                if fmt is None and shape[1]:
                    if value not in enum:
                        if len(enum) >= MAX_ENUM:
                            self.enum = None
                        else:
                            enum.append(value)
                            enum.sort()
                else:
                    self.enum = None
        elif cls is dict:
            types["object"] = types.get("object", 0) + 1
            if depth < MAX_DEPTH:
                props = self.properties
                depth += 1
                for key, child in value.items():
                    node = props.get(key)
                    if node is None:
                        node = self._property(key)
                        if node is None:
                            continue
                    node.observe(child, depth)
        elif cls is int:
            types["integer"] = types.get("integer", 0) + 1
        elif cls is list:
            types["array"] = types.get("array", 0) + 1
            n = len(value)
            least = self.min_length
            if least is None or n < least:
                self.min_length = n
            most = self.max_length
            if most is None or n > most:
                self.max_length = n
            if depth < MAX_DEPTH and value:
                items = self.items
                if items is None:
                    items = self.items = SchemaNode()
                depth += 1
                for child in value[:SAMPLED_ITEMS]:
                    items.observe(child, depth)
        elif cls is bool:
            types["boolean"] = types.get("boolean", 0) + 1
        elif value is None:
            types["null"] = types.get("null", 0) + 1
        elif cls is float:
            types["number"] = types.get("number", 0) + 1
        else:
            self._observe_other(value, depth)

    def _observe_other(self, value: Any, depth: int) -> None:
        types = self.types
        if isinstance(value, str):
            types["string"] = types.get("string", 0) + 1
            self._observe_string(value)
        elif isinstance(value, bool):
            types["boolean"] = types.get("boolean", 0) + 1
        elif isinstance(value, int):
            types["integer"] = types.get("integer", 0) + 1
        elif isinstance(value, float):
            types["number"] = types.get("number", 0) + 1
        elif isinstance(value, dict):
            types["object"] = types.get("object", 0) + 1
            if depth < MAX_DEPTH:
                self._observe_object(value, depth)
        elif isinstance(value, list):
            self._observe_array(value, depth)

    def _observe_object(self, value: dict[str, Any], depth: int) -> None:
        props = self.properties
        for key, child in value.items():
            node = props.get(key)
            if node is None:
                node = self._property(key)
                if node is None:
                    continue
            node.observe(child, depth + 1)

    def _property(self, key: str) -> SchemaNode | None:
        """The node for a key not yet seen under its own name (None past `MAX_PROPERTIES`).

        A key that is data (an email, a card number) folds into `VALUE_KEY` with its peers. A
        property whose name says credential, or that a location cannot address (a ``.`` or
        ``[`` inside the key), never keeps values: the classifier's verdict cannot reach it.
        """
        name = key_name(key)
        props = self.properties
        node = props.get(name)
        if node is None:
            if len(props) >= MAX_PROPERTIES:
                self.extra_keys += 1
                return None
            node = props[name] = SchemaNode()
            if "." in name or "[" in name or names_a_secret(name):
                node.enum = None
        return node

    def _observe_array(self, value: list[Any], depth: int) -> None:
        types = self.types
        types["array"] = types.get("array", 0) + 1
        self._observe_length(len(value))
        if depth < MAX_DEPTH and value:
            items = self.items
            if items is None:
                items = self.items = SchemaNode()
            for child in value[:SAMPLED_ITEMS]:
                items.observe(child, depth + 1)

    def _observe_string(self, value: str) -> None:
        n = len(value)
        if self.min_length is None or n < self.min_length:
            self.min_length = n
        if self.max_length is None or n > self.max_length:
            self.max_length = n
        shape = _SHAPES.get(value)
        if shape is None:
            shape = _shape(value)
        fmt, candidate = shape
        if fmt is not None:
            self.formats[fmt] = self.formats.get(fmt, 0) + 1
        enum = self.enum
        if enum is not None:
            if fmt is None and candidate:
                if value not in enum:
                    if len(enum) >= MAX_ENUM:
                        self.enum = None
                    else:
                        enum.append(value)
                        enum.sort()
            else:
                self.enum = None

    def _observe_length(self, n: int) -> None:
        if self.min_length is None or n < self.min_length:
            self.min_length = n
        if self.max_length is None or n > self.max_length:
            self.max_length = n

    def forget_values(self) -> None:
        """Drop the enum values here and below (used where a value was found sensitive)."""
        self.enum = None
        for child in self.properties.values():
            child.forget_values()
        if self.items is not None:
            self.items.forget_values()

    def forget_at(self, path: str) -> None:
        """Drop the enum values at a JSON path such as ``data[].owner.email`` (and below it)."""
        node: SchemaNode | None = self
        for step in path.replace("[]", ".[]").split(".") if path else ():
            if node is None:
                return
            if step == "[]":
                node = node.items
            elif step:
                node = node.properties.get(step)
        if node is not None:
            node.forget_values()

    # ------------------------------------------------------------------ merging
    def merge(self, other: SchemaNode) -> None:
        """Add ``other``'s counts into this node (commutative and associative)."""
        self.count += other.count
        _add_counts(self.types, other.types)
        _add_counts(self.formats, other.formats)
        if self.enum is None or other.enum is None:
            self.enum = None
        else:
            union = sorted(set(self.enum) | set(other.enum))
            self.enum = union if len(union) <= MAX_ENUM else None
        for key, child in other.properties.items():
            mine = self.properties.get(key)
            if mine is None:
                self.properties[key] = _copy(child)
            else:
                mine.merge(child)
        self.extra_keys += other.extra_keys
        if other.items is not None:
            if self.items is None:
                self.items = _copy(other.items)
            else:
                self.items.merge(other.items)
        self.min_length = _min(self.min_length, other.min_length)
        self.max_length = _max(self.max_length, other.max_length)

    # ------------------------------------------------------------------ reading
    def dominant_type(self) -> str | None:
        """The most frequent non-null type; integer and number together read as number."""
        counts = {t: n for t, n in self.types.items() if t != "null"}
        if not counts:
            return None
        if "integer" in counts and "number" in counts:
            counts["number"] += counts.pop("integer")
        return max(sorted(counts), key=lambda t: counts[t])

    def dominant_format(self, share: float = 0.9) -> str | None:
        """A format that at least ``share`` of the strings had."""
        strings = self.types.get("string", 0)
        for fmt, n in sorted(self.formats.items()):
            if strings and n >= share * strings:
                return fmt
        return None


_DECODER = msgspec.msgpack.Decoder(SchemaNode)
_ENCODER = msgspec.msgpack.Encoder()


def _copy(node: SchemaNode) -> SchemaNode:
    return _DECODER.decode(_ENCODER.encode(node))


def _add_counts(into: dict[str, int], other: dict[str, int]) -> None:
    for key, n in other.items():
        into[key] = into.get(key, 0) + n


def _min(a: float | None, b: float | None) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max(a: float | None, b: float | None) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
