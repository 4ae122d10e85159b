"""Invalid UTF-8 repair works whatever msgspec signals for it (sources/_json.py)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracehound.sources._json import TooDeep, decode_repairing_utf8, loads_repairing_utf8


class Rec(msgspec.Struct):
    a: str


@pytest.mark.parametrize("bad", [b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f\x98"])
def test_invalid_utf8_in_a_string_is_replaced(bad: bytes) -> None:
    raw = b'{"a": "caf' + bad + b'!"}'
    rec = decode_repairing_utf8(msgspec.json.Decoder(Rec), raw)
    assert rec.a.startswith("caf\ufffd") and rec.a.endswith("!")


def test_memoryview_input_is_repaired() -> None:
    raw = bytearray(b'{"a": "x\xffy"}')
    assert decode_repairing_utf8(msgspec.json.Decoder(Rec), memoryview(raw)).a == "x\ufffdy"


def test_invalid_json_still_raises_decode_error_with_or_without_bad_bytes() -> None:
    with pytest.raises(msgspec.DecodeError):
        loads_repairing_utf8(b'{"a": ')
    with pytest.raises(msgspec.DecodeError):
        loads_repairing_utf8(b'{"a": "\xff')


def test_wrong_shape_raises_validation_error_not_a_repair() -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_repairing_utf8(msgspec.json.Decoder(Rec), b'{"a": 1}')


@given(st.text(), st.binary(max_size=8))
def test_any_text_with_any_bytes_spliced_in_decodes_like_pythons_replace(text: str, junk: bytes) -> None:
    # The expected value is Python's own 'replace' decoding of the same bytes, so the property
    # holds on every msgspec release that decodes valid UTF-8 correctly.
    encoded = json.dumps({"a": text}, ensure_ascii=False).encode()
    cut = encoded.index(b'"a": "') + len(b'"a": "')
    spliced = encoded[:cut] + junk.replace(b'"', b"").replace(b"\\", b"") + encoded[cut:]
    expected: Any = json.loads(spliced.decode("utf-8", "replace"), strict=False)
    try:
        got = loads_repairing_utf8(spliced)
    except msgspec.DecodeError:
        # control characters in the junk are invalid JSON for msgspec (strict); Python agreed
        # only because strict=False; anything else must decode
        assert any(b < 0x20 for b in junk)
        return
    assert got == expected


def test_the_collector_keeps_a_har_entry_with_one_latin1_byte() -> None:
    from tracehound.cluster.batch import parse_har, parse_ndjson

    entry = {
        "startedDateTime": "2024-01-01T00:00:00Z",
        "time": 1,
        "request": {"method": "GET", "url": "https://api.example.com/caf@", "headers": []},
        "response": {"status": 200, "headers": [], "content": {"text": "caf@"}},
    }
    raw = json.dumps({"log": {"version": "1.2", "entries": [entry]}}).encode().replace(b"caf@", b"caf\xe9")
    (tx,) = parse_har(raw)
    assert tx.response_body == "caf\ufffd".encode()
    record = {"v": 1, "request": {"method": "GET", "url": "https://a.example/x"}, "response": {"body": "caf@"}}
    assert parse_ndjson(json.dumps(record).encode().replace(b"caf@", b"caf\xe9"))


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("junk", [b"", b"\xff"])
def test_nesting_too_deep_to_decode_is_a_decode_error(depth: int, junk: bytes) -> None:
    # With or without bytes to repair: the retry after the repair meets the same nesting.
    raw = b'{"a": "x' + junk + b'", "b": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(TooDeep, match="nested too deeply to decode"):
        decode_repairing_utf8(msgspec.json.Decoder(Rec), raw)
    with pytest.raises(msgspec.DecodeError):
        loads_repairing_utf8(raw)
