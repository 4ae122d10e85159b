"""Fuzzing the config loader (``--config``, ``TRACEHOUND_*``) and the reference-spec loader (``--spec``).

The properties: ``load_settings`` raises only ``ConfigError``, from any file bytes, YAML text or
settings tree, and from any ``TRACEHOUND_*`` environment; a tree of valid-typed settings loads;
building the pipeline from loaded settings (custom sensitive types: names, re2 patterns,
validators) raises only ``ConfigError``, and the pipeline built runs. ``load_spec`` raises only
``InputError`` on any OpenAPI 2.0/3.x document, JSON or YAML, mutated or not, or any bytes.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import fanout, fuzz, fuzz_input
from fuzz.strategies import YAML_SNIPPETS, byte_variants, config_tree, json_values, mutated, openapi_document, texts
from tracehound.analyzer.spec import load_spec
from tracehound.config import Settings, load_settings
from tracehound.errors import ConfigError, InputError
from tracehound.model import Transaction
from tracehound.pipeline.runner import Pipeline
from tracehound.pipeline.stages import build_classifier


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-loaders")


def as_yaml(value: Any, style: str, ascii_json: bool = False) -> bytes:
    """``value`` as a YAML or JSON document; text a dumper refuses is written as JSON.

    JSON keeps control characters raw unless ``ascii_json``: YAML, which reads JSON files here,
    refuses C1 controls, so only escaped JSON is a valid config whatever its strings."""
    if style == "json":
        return json.dumps(value, ensure_ascii=ascii_json).encode("utf-8", "surrogatepass")
    try:
        return yaml.safe_dump(value, default_flow_style=style == "flow", allow_unicode=True).encode(
            "utf-8", "surrogatepass"
        )
    except (yaml.YAMLError, ValueError, TypeError):
        return json.dumps(value).encode()


PROBE = Transaction(
    seq=0,
    source="fuzz",
    method="POST",
    scheme="https",
    host="api.example.com",
    path="/badges/B-123456",
    query="badge=B-654321",
    request_headers=(("content-type", "application/json"),),
    request_body=b'{"badge": "B-111111", "id": "4111111111111111"}',
    status=200,
)


def load_config(path: Path | None, environ: dict[str, str]) -> Settings | None:
    """``load_settings``, then the custom sensitive types it names built and run on a probe (the
    only part of the pipeline a config can break); None when ConfigError says why."""
    try:
        settings = load_settings(path, environ=environ)
    except ConfigError as e:
        assert str(e)
        return None
    if settings.sensitive.custom_types:
        try:
            classifier = build_classifier(settings)
        except ConfigError as e:
            assert str(e)
            return settings
        Pipeline(classifier=classifier).process(PROBE)
    return settings


@fuzz("config", 0.4)
@given(tree=config_tree(mutate=True), style=st.sampled_from(["block", "flow", "json"]), seed=st.integers(0, 2**32))
def test_config_trees_load_or_raise_config_error(workdir: Path, tree: Any, style: str, seed: int) -> None:
    path = workdir / "tracehound.yaml"
    text = as_yaml(tree, style)
    path.write_bytes(text)
    fuzz_input("config")
    load_config(path, {})
    for variant in byte_variants(seed, text, fanout()):
        path.write_bytes(variant)
        fuzz_input("config")
        try:
            load_settings(path, environ={})
        except ConfigError as e:
            assert str(e)


@fuzz("config", 0.15)
@given(tree=config_tree(mutate=False), style=st.sampled_from(["block", "flow", "json"]))
def test_valid_config_trees_load(workdir: Path, tree: Any, style: str) -> None:
    path = workdir / "tracehound.yaml"
    data = as_yaml(tree, style, ascii_json=True)
    path.write_bytes(data)
    fuzz_input("config")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # lone surrogates in a generated string: not a valid file, so not a valid config
    if _holds_lone_surrogate(tree):
        # Written as a "\ud800" escape the file is valid UTF-8, but no string can hold the value
        # in an output or a pattern: refused with a reason, never loaded.
        assert load_config(path, {}) is None, "a lone surrogate escape was loaded"
        return
    assert load_config(path, {}) is not None, "valid settings refused"


def _holds_lone_surrogate(tree: Any) -> bool:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


@fuzz("config", 0.3)
@given(
    data=st.data(),
    text=st.one_of(st.sampled_from(YAML_SNIPPETS), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
)
def test_config_bytes_raise_only_config_error(workdir: Path, data: st.DataObject, text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    if data.draw(st.booleans()):
        raw = data.draw(mutated(raw + as_yaml(data.draw(config_tree()), "block")))
    path = workdir / "tracehound.yaml"
    path.write_bytes(raw)
    fuzz_input("config")
    load_config(path, {})
    for variant in byte_variants(zlib.crc32(raw), raw, fanout()):
        path.write_bytes(variant)
        fuzz_input("config")
        load_config(path, {})


env_names = st.one_of(
    st.sampled_from(
        [
            "TRACEHOUND_TENANT",
            "TRACEHOUND_LIMITS__MAX_BODY_BYTES",
            "TRACEHOUND_LIMITS",
            "TRACEHOUND_LIMITS__",
            "TRACEHOUND___",
            "TRACEHOUND_SERVER__WORKER__FETCH_BATCH",
            "TRACEHOUND_SERVER__WORKER",
            "TRACEHOUND_DETECTION__DISABLED",
            "TRACEHOUND_SENSITIVE__CUSTOM_TYPES",
            "TRACEHOUND_NOPE",
        ]
    ),
    st.text("ABCDEFGHIJ_", max_size=12).map(lambda s: "TRACEHOUND_" + s),
)
env_values = st.one_of(
    st.sampled_from(YAML_SNIPPETS),
    st.sampled_from(["1", "-1", "x", "[a, b]", "{a: 1}", "[", "{", "'", '"', ": :", "- - -", "null", "9" * 5000]),
    texts,
)


@fuzz("config", 0.15)
@given(environ=st.dictionaries(env_names, env_values, max_size=4))
def test_environment_raises_only_config_error(environ: dict[str, str]) -> None:
    fuzz_input("config")
    load_config(None, environ)


SPEC_NAMES = ["api.json", "api.yaml", "api.yml", "api", "api.JSON"]


@fuzz("spec", 0.7)
@given(doc=openapi_document(), style=st.sampled_from(["block", "flow", "json"]), name=st.sampled_from(SPEC_NAMES))
def test_specs_load_or_raise_input_error(workdir: Path, doc: Any, style: str, name: str) -> None:
    path = workdir / name
    text = as_yaml(doc, style)
    for variant in byte_variants(zlib.crc32(text), text, fanout()):
        path.write_bytes(variant)
        fuzz_input("spec")
        try:
            load_spec(path)
        except InputError as e:
            assert str(e).startswith(str(path))
    path.write_bytes(text)
    fuzz_input("spec")
    try:
        spec = load_spec(path)
    except InputError as e:
        assert str(e).startswith(str(path))
        return
    for op in spec.operations:
        assert op.full_path.startswith("/")


@fuzz("spec", 0.3)
@given(data=st.data(), name=st.sampled_from(SPEC_NAMES))
def test_spec_bytes_raise_only_input_error(workdir: Path, data: st.DataObject, name: str) -> None:
    how = data.draw(st.sampled_from(["mutated", "snippet", "bytes", "value"]))
    if how == "mutated":
        raw = data.draw(mutated(as_yaml(data.draw(openapi_document()), data.draw(st.sampled_from(["block", "json"])))))
    elif how == "snippet":
        raw = ("paths:\n  /a:\n    get: {}\n" + data.draw(st.sampled_from(YAML_SNIPPETS))).encode()
    elif how == "bytes":
        raw = data.draw(st.binary(max_size=200))
    else:
        raw = as_yaml({"openapi": "3.0.0", "paths": data.draw(json_values(10)), "servers": data.draw(texts)}, "json")
    path = workdir / name
    path.write_bytes(raw)
    fuzz_input("spec")
    try:
        load_spec(path)
    except InputError as e:
        assert str(e).startswith(str(path))
