"""Crashes the fuzz harness (tests/fuzz) found, each reduced to a minimal input.

Each test failed before its fix with the exception named in its docstring escaping where only a
documented error (``InputError``, ``ConfigError``, ``BatchError``) or a counted rejection may.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tracehound.cluster.batch import gunzip_capped
from tracehound.errors import InputError
from tracehound.model import Transaction
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
