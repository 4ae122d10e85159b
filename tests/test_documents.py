"""Config and spec documents load within bounds: nesting and alias expansion (tracehound/_documents.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound._documents import MAX_DOCUMENT_DEPTH, DocumentError, check_tree, load_json, load_yaml


def nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("load", [load_json, load_yaml])
def test_the_depth_bound_is_exact(load: object, kind: str) -> None:
    assert callable(load)
    load(nested(MAX_DOCUMENT_DEPTH, kind))
    with pytest.raises(DocumentError, match=f"nested deeper than {MAX_DOCUMENT_DEPTH} levels"):
        load(nested(MAX_DOCUMENT_DEPTH + 1, kind))


def test_block_style_yaml_is_refused_while_composing() -> None:
    text = "".join(" " * i + "-\n" for i in range(3000))
    with pytest.raises(DocumentError, match="nested deeper than"):
        load_yaml(text)


def test_anchors_used_as_intended_are_fine() -> None:
    text = "base: &base {type: object, properties: {id: {type: integer}}}\n" + "".join(
        f"s{i}: *base\n" for i in range(200)
    )
    doc = load_yaml(text)
    assert doc["s199"] is doc["base"]


@pytest.mark.parametrize("width", [9, 30])
def test_an_alias_bomb_is_refused_quickly(width: int) -> None:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    with pytest.raises(DocumentError, match="aliases are expanded"):
        load_yaml("\n".join(lines))


def test_check_tree_counts_shared_objects_as_often_as_they_are_reached() -> None:
    leaf = list(range(10))
    check_tree([leaf] * 10, max_nodes=111)
    with pytest.raises(DocumentError):
        check_tree([leaf] * 10, max_nodes=110)


def test_invalid_documents_still_raise_what_they_did() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        load_json("{")
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [")


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(0, 5000), kind=st.sampled_from(["array", "object"]), as_json=st.booleans())
def test_any_nesting_loads_or_is_refused_never_raises_otherwise(depth: int, kind: str, as_json: bool) -> None:
    text = nested(depth, kind) or "null"
    try:
        value = load_json(text) if as_json else load_yaml(text)
    except DocumentError:
        assert depth > MAX_DOCUMENT_DEPTH
    else:
        assert depth <= MAX_DOCUMENT_DEPTH
        assert value == json.loads(text)


def test_json_escape_pairs_read_as_yaml_become_the_character_they_encode() -> None:
    # PyYAML read json.dumps' "\ud800\udc00" as two lone surrogates, which crashed the custom-type
    # pattern compile of a JSON --config (found by the fuzz harness in CI).
    import json

    from tracehound._documents import load_yaml

    doc = {"pattern": "\U00010000[a-z]+", "\U0001f600": ["x\U0001f600"]}
    assert load_yaml(json.dumps(doc)) == doc


def test_a_lone_surrogate_escape_is_refused_with_a_reason() -> None:
    import pytest

    from tracehound._documents import DocumentError, load_yaml

    with pytest.raises(DocumentError, match="lone UTF-16 surrogate"):
        load_yaml('pattern: "a\\ud800b"')


def test_a_json_config_with_a_character_beyond_the_bmp_in_a_custom_pattern_loads(tmp_path: Path) -> None:
    import json

    from tracehound.config import load_settings

    path = tmp_path / "c.json"
    path.write_text(json.dumps({"sensitive": {"custom_types": [{"name": "badge_id", "pattern": "\U00010000"}]}}))
    settings = load_settings(path, environ={})
    assert settings.sensitive.custom_types == [{"name": "badge_id", "pattern": "\U00010000"}]
    from tracehound.pipeline.stages import build_classifier

    build_classifier(settings)  # compiled the pattern: two lone surrogates raised UnicodeEncodeError
