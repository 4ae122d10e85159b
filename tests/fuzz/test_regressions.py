"""Crashes the fuzz harness (tests/fuzz) found, each reduced to a minimal input.

Each test failed before its fix with the exception named in its docstring escaping where only a
documented error (``InputError``, ``ConfigError``, ``BatchError``) or a counted rejection may.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tracehound.analysis import run_files
from tracehound.analyzer.spec import load_spec, parse_spec
from tracehound.cluster.batch import gunzip_capped
from tracehound.config import Settings, load_settings
from tracehound.errors import ConfigError, InputError
from tracehound.model import Transaction
from tracehound.pipeline.normalize import normalize
from tracehound.pipeline.stages import build_classifier, build_pipeline
from tracehound.profiles.sketch import LatencySketch
from tracehound.sources import HarSource, Rejection, open_source

ENTRY = {"request": {"method": "GET", "url": "https://api.example.com/a"}, "response": {"status": 200}}


def corrupt_gzip(data: bytes) -> bytes:
    """``data`` gzipped with one byte of the deflate stream flipped (the header and CRC intact)."""
    z = bytearray(gzip.compress(data, mtime=0))
    z[20] ^= 0xFF
    return bytes(z)


@pytest.mark.parametrize("name", ["t.har.gz", "t.ndjson.gz", "t.gz"])
def test_a_corrupt_deflate_stream_is_an_input_error_or_a_rejection(tmp_path: Path, name: str) -> None:
    """zlib.error ("invalid bit length repeat") escaped from every gzip source."""
    if ".har" in name:
        text = json.dumps({"log": {"entries": [ENTRY] * 200}}).encode()
    else:
        text = b"\n".join([json.dumps({"v": 1, **ENTRY}).encode()] * 200)
    path = tmp_path / name
    path.write_bytes(corrupt_gzip(text))
    try:
        source = open_source(path)
    except InputError as e:
        assert "gzip" in str(e)
        return
    items = list(source)
    assert isinstance(items[-1], Rejection) and "gzip" in items[-1].reason
    assert source.count == len(items)


def test_a_har_bom_is_skipped_whatever_the_read_chunk(tmp_path: Path) -> None:
    """InputError "it does not start with a JSON object": a chunk under 3 bytes split the BOM."""
    path = tmp_path / "t.har"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"log": {"entries": [ENTRY]}}).encode())
    for chunk in (1, 2, 3):
        items = list(HarSource(path, chunk_size=chunk))
        assert [type(i) for i in items] == [Transaction]


def test_gunzip_decodes_every_member_of_a_multi_member_body() -> None:
    """Only the first gzip member was decoded: the rest of an accepted batch was silently lost."""
    body = gzip.compress(b'{"v": 1}\n', mtime=0) + gzip.compress(b'{"v": 2}\n', mtime=0)
    assert gzip.decompress(body) == b'{"v": 1}\n{"v": 2}\n'
    assert gunzip_capped(body, 100) == b'{"v": 1}\n{"v": 2}\n'


@pytest.mark.parametrize("value", ["\x95", "[", "{a: 1", "!!python/name:os.system", "9" * 5000, '"\\U99999999"'])
def test_an_environment_value_that_is_not_yaml_is_a_config_error(value: str) -> None:
    """yaml.ReaderError / ParserError / ConstructorError, or ValueError, escaped from TRACEHOUND_*."""
    with pytest.raises(ConfigError, match="TRACEHOUND_TENANT"):
        load_settings(None, environ={"TRACEHOUND_TENANT": value})


@pytest.mark.parametrize(
    "text",
    [
        "limits: {max_body_bytes: " + "9" * 5000 + "}",
        "tenant: !!timestamp 2026-99-99",
        "tenant: !!int 0xzz",
        'tenant: "\\U99999999"',
    ],
)
def test_yaml_a_constructor_refuses_is_a_config_error(tmp_path: Path, text: str) -> None:
    """ValueError (PyYAML's int/float/timestamp constructors), or OverflowError (its chr() of a
    ``\\U99999999`` escape), escaped from --config."""
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path, environ={})


@pytest.mark.parametrize(
    "doc", [{"\U0001f600": 1}, {"sensitive": {"custom_types": [{"\U0001f600": 1, "name": "x", "key_hints": ["x"]}]}}]
)
def test_a_json_config_with_an_escaped_emoji_key_is_a_config_error(tmp_path: Path, doc: object) -> None:
    """UnicodeEncodeError: PyYAML read json.dumps' "\\ud83d\\ude00" as two lone surrogates. The
    pair is now joined into the emoji it encodes, which no setting is named: an unknown key."""
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match="unknown field `\U0001f600`"):
        build_classifier(load_settings(path, environ={}))


def test_a_spec_server_url_with_a_bad_ipv6_host_is_an_input_error(tmp_path: Path) -> None:
    """ValueError "Invalid IPv6 URL" escaped from --spec."""
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.0.0\nservers: [{url: 'http://[::1'}]\npaths: {}\n")
    with pytest.raises(InputError, match=r"servers\[0\]\.url"):
        load_spec(path)


def test_a_spec_with_an_escape_beyond_unicode_is_an_input_error(tmp_path: Path) -> None:
    """OverflowError "Python int too large to convert to C int" (PyYAML's chr()) escaped from --spec."""
    path = tmp_path / "api.yaml"
    path.write_text('paths: {}\ninfo: {title: "\\U99999999"}\n')
    with pytest.raises(InputError, match="not valid JSON or YAML"):
        load_spec(path)


def test_spec_server_variables_that_are_not_a_map_are_ignored() -> None:
    """AttributeError "'list' object has no attribute 'items'"."""
    spec = parse_spec({"paths": {"/a": {"get": {}}}, "servers": [{"url": "https://h/v1", "variables": [1]}]}, "s")
    assert spec.hosts == {"h"} and [op.full_path for op in spec.operations] == ["/v1/a"]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_latency_sketch_skips_values_that_are_not_latencies(value: float) -> None:
    """ValueError "cannot convert float NaN to integer" (OverflowError for infinity) from fold."""
    sketch = LatencySketch()
    sketch.add(value)
    sketch.add(5.0)
    assert sketch.count == 1 and sketch.quantile(0.5) is not None


def tx(body: bytes, ctype: str) -> Transaction:
    return Transaction(
        seq=0,
        source="t",
        method="POST",
        scheme="https",
        host="api.example.com",
        path="/a",
        request_headers=(("content-type", ctype),),
        request_body=body,
    )


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"+308-", "text/plain; charset=utf-7"),
        (b"<a>+308-\xff</a>", "application/xml; charset=utf-7"),
        (b"q=%2B308-", "application/x-www-form-urlencoded; charset=utf-7"),
    ],
)
def test_utf7_bodies_decoding_to_lone_surrogates_are_scanned(body: bytes, ctype: str) -> None:
    """UnicodeEncodeError "surrogates not allowed" from re2 in the signature engine: UTF-7 decodes
    ``+308-`` to a lone surrogate, and one such body stopped a whole analyze run."""
    ex = normalize(tx(body, ctype))
    text = json.dumps(ex.request_body.value)
    assert "\\udf4f" not in text and "\\ufffd" in text
    build_pipeline(Settings()).process(tx(body, ctype))


def test_a_utf7_body_does_not_stop_analyze(tmp_path: Path) -> None:
    entry = {
        "request": {
            "method": "POST",
            "url": "https://api.example.com/a",
            "headers": [{"name": "Content-Type", "value": "text/plain; charset=utf-7"}],
            "postData": {"mimeType": "text/plain; charset=utf-7", "text": "+308-"},
        },
        "response": {"status": 200},
    }
    path = tmp_path / "t.har"
    path.write_text(json.dumps({"log": {"entries": [entry, entry]}}))
    result = run_files([path], build_pipeline(Settings()))
    assert result.transactions == 2
