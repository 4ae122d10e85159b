"""Fuzzing deep nesting at every decoder boundary (issue 9, deliverable 3).

Before the nesting fixes these raised ``RecursionError`` from an NDJSON line, a HAR's
``log.entries``, collector batches, bus messages and the spec and config loaders; they stay as
the regression target of that class.

Depths straddle the caps (``max_json_depth`` is 64; CPython's recursion limit is 1,000) and reach
100,000; the nesting is put where each decoder recurses: an NDJSON record's field, a HAR entry's
field, ``log.entries`` itself, a collector batch, a bus line, an OpenAPI document (JSON and YAML)
and a config file. The properties are the harness's: only documented errors, nothing silently lost. The inputs are
few and alike, so this target runs a tenth of the others' budget.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import fuzz, fuzz_input
from fuzz.strategies import nested_bytes
from tracehound.analyzer.spec import load_spec
from tracehound.cluster.batch import BatchError, decode_message, parse_har, parse_ndjson
from tracehound.config import load_settings
from tracehound.errors import ConfigError, InputError
from tracehound.sources import Rejection, open_source

depths = st.sampled_from([10, 63, 64, 65, 500, 999, 1000, 1001, 5000, 100_000])
RECORD = b'{"v": 1, "request": {"method": "GET", "url": "https://api.example.com/a"}, "x": %s}'
ENTRY = b'{"request": {"method": "GET", "url": "https://api.example.com/a"}, "_x": %s}'


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-nesting")


def deep(depth: int, arrays: bool) -> bytes:
    return b"[" * depth + b"]" * depth if arrays else nested_bytes(depth)


@fuzz("nesting", 0.1)
@given(depth=depths, arrays=st.booleans(), where=st.sampled_from(["ndjson", "har-entry", "har-entries"]))
def test_deep_entries_are_counted_rejections(workdir: Path, depth: int, arrays: bool, where: str) -> None:
    value = deep(depth, arrays)
    if where == "ndjson":
        path, text, written = workdir / "d.ndjson", RECORD % b"1" + b"\n" + (RECORD % value) + b"\n", 2
    elif where == "har-entry":
        path, text, written = workdir / "d.har", b'{"log": {"entries": [%s, %s]}}' % (ENTRY % b"1", ENTRY % value), 2
    else:
        path, text, written = workdir / "d.har", b'{"log": {"entries": [%s, %s]}}' % (ENTRY % b"1", value), 2
    path.write_bytes(text)
    fuzz_input("nesting", written)
    items = list(open_source(path))
    assert len(items) == written, "an entry silently lost"
    assert not isinstance(items[0], Rejection)


@fuzz("nesting", 0.1)
@given(depth=depths, arrays=st.booleans(), where=st.sampled_from(["har", "har-entries", "ndjson", "bus"]))
def test_deep_batches_are_batch_errors(depth: int, arrays: bool, where: str) -> None:
    value = deep(depth, arrays)
    fuzz_input("nesting", 1)
    if where == "bus":
        _, items = decode_message(b'{"v": 1, "tenant": "t", "count": 1}\n' + RECORD % value, "worker")
        assert len(list(items)) == 1
        return
    try:
        if where == "har":
            parse_har(b'{"log": {"entries": [%s]}}' % (ENTRY % value))
        elif where == "har-entries":
            parse_har(b'{"log": {"entries": %s}}' % value)
        else:
            parse_ndjson(RECORD % value)
    except BatchError as e:
        assert e.reason


@fuzz("nesting", 0.1)
@given(depth=depths, arrays=st.booleans(), kind=st.sampled_from(["spec.json", "spec.yaml", "config"]))
def test_deep_documents_are_one_line_errors(workdir: Path, depth: int, arrays: bool, kind: str) -> None:
    value = deep(min(depth, 20_000), arrays)  # YAML text is parsed at about 1 MB/s: kept under a second
    fuzz_input("nesting")
    if kind == "config":
        path = workdir / "c.yaml"
        path.write_bytes(b"sensitive: {custom_types: [{x: %s}]}\n" % value)
        try:
            load_settings(path, environ={})
        except ConfigError as e:
            assert str(e).startswith(str(path))
        return
    path = workdir / ("api.json" if kind == "spec.json" else "api.yaml")
    path.write_bytes(b'{"paths": {}, "x": %s}' % value if kind == "spec.json" else b"paths: {}\nx: %s\n" % value)
    try:
        load_spec(path)
    except InputError as e:
        assert str(e).startswith(str(path))
