"""Statistical schemas: what one value teaches, and merges that agree in any order."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.profiles.schema import SchemaNode, enum_candidate, string_format

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["active", "PENDING", "a@b.example", "2026-01-02", "x y", "Ada"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from("abcde"), children, max_size=4),
    max_leaves=20,
)


def folded(values: list[Any]) -> SchemaNode:
    node = SchemaNode()
    for v in values:
        node.observe(v)
    return node


def encoded(node: SchemaNode) -> object:
    """A canonical form: dict order (insertion order) is not part of a node's meaning."""
    return msgspec.to_builtins(node)


def test_counts_types_formats_and_presence() -> None:
    node = folded([{"id": 1, "email": "a@example.com", "tags": ["x"]}, {"id": 2, "email": None}])
    assert node.types == {"object": 2}
    assert node.properties["id"].types == {"integer": 2}
    assert node.properties["email"].formats == {"email": 1}
    assert node.properties["email"].types == {"string": 1, "null": 1}
    assert node.properties["tags"].count == 1
    assert node.properties["tags"].items is not None and node.properties["tags"].items.types == {"string": 1}


def test_enum_collects_short_tokens_only() -> None:
    node = folded(["paid", "shipped", "paid"])
    assert node.enum == ["paid", "shipped"]
    node.observe("Ada Lovelace")
    assert node.enum is None


def test_enum_overflows_to_none() -> None:
    node = folded([f"state{i}" for i in range(40)])
    assert node.enum is None


def test_property_cap_counts_extra_keys() -> None:
    node = folded([{str(i): i for i in range(300)}])
    assert len(node.properties) == 256
    assert node.extra_keys == 44


def test_deep_values_do_not_recurse_without_bound() -> None:
    value: Any = 1
    for _ in range(200):
        value = [value]
    node = folded([value])
    assert node.count == 1


def test_string_formats() -> None:
    assert string_format("2026-11-25T10:00:00Z") == "date-time"
    assert string_format("2026-11-25") == "date"
    assert string_format("123e4567-e89b-12d3-a456-426614174000") == "uuid"
    assert string_format("https://example.com/a") == "uri"
    assert string_format("192.0.2.1") == "ipv4"
    assert string_format("2001:db8::1") == "ipv6"
    assert string_format("hello world") is None


def test_enum_candidate_rejects_names_and_mixed_case() -> None:
    assert enum_candidate("in_progress")
    assert not enum_candidate("Lovelace")
    assert not enum_candidate("hunter2 secret")


@settings(max_examples=150, deadline=None)
@given(st.lists(json_values, max_size=6), st.lists(json_values, max_size=6), st.lists(json_values, max_size=6))
def test_merge_is_commutative_and_associative(a: list[Any], b: list[Any], c: list[Any]) -> None:
    def merged(*parts: list[Any]) -> object:
        node = SchemaNode()
        for p in parts:
            node.merge(folded(p))
        return encoded(node)

    assert merged(a, b) == merged(b, a)
    left = folded(a)
    ab = folded(a)
    ab.merge(folded(b))
    ab.merge(folded(c))
    bc = folded(b)
    bc.merge(folded(c))
    left.merge(bc)
    assert encoded(ab) == encoded(left)


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values, max_size=8), st.lists(json_values, max_size=8))
def test_merge_equals_folding_everything(a: list[Any], b: list[Any]) -> None:
    node = folded(a)
    node.merge(folded(b))
    together = folded(a + b)
    # Folding and merging see the same values; only the order of enum discovery may differ.
    assert node.count == together.count
    assert node.types == together.types


def test_keys_that_are_data_fold_into_one_property() -> None:
    node = folded([{"byEmail": {"jane@example.com": {"limit": 5}, "joe@example.org": {"limit": 7}}}])
    by_email = node.properties["byEmail"]
    assert list(by_email.properties) == ["{key}"]
    assert by_email.properties["{key}"].count == 2


def test_credential_named_and_unaddressable_properties_keep_no_values() -> None:
    """The classifier's verdict reaches a schema node by its location; a key with a dot cannot be
    addressed that way, and a credential name says enough without a verdict."""
    node = folded([{"client_secret": "correcthorse", "user.password": "hunter", "grant": "code"}] * 3)
    assert node.properties["client_secret"].enum is None
    assert node.properties["user.password"].enum is None
    assert node.properties["grant"].enum == ["code"]


def test_numbers_are_counted_never_kept() -> None:
    node = folded([{"pan": 4111111111111111, "amount": 12.5}])
    encoded = msgspec.msgpack.encode(node)
    assert msgspec.msgpack.encode(4111111111111111) not in encoded
    assert msgspec.msgpack.encode(12.5) not in encoded
    assert node.properties["pan"].types == {"integer": 1}


def test_a_map_keyed_by_data_renders_as_additional_properties() -> None:
    from tracehound.report.schema import to_json_schema

    node = folded([{"byEmail": {f"p{i}@example.com": {"limit": i}}, "total": i} for i in range(3)])
    schema = to_json_schema(node)
    by_email = schema["properties"]["byEmail"]
    assert by_email["properties"] == {}
    assert by_email["additionalProperties"]["properties"]["limit"]["type"] == "integer"
    assert "@" not in json.dumps(schema)
