from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from tracehound.errors import InputError
from tracehound.model import Transaction
from tracehound.sources import HarSource, NdjsonSource, Rejection, open_source

from .helpers import har_bytes, har_entry, write

NDJSON = json.dumps({"v": 1, "request": {"method": "GET", "url": "http://a.example/"}}).encode() + b"\n"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("t.har", HarSource),
        ("t.HAR.gz", HarSource),
        ("t.ndjson", NdjsonSource),
        ("t.jsonl", NdjsonSource),
        ("t.ndjson.gz", NdjsonSource),
        ("t.jsonl.gz", NdjsonSource),
    ],
)
def test_open_source_chooses_by_suffix(tmp_path: Path, name: str, kind: type) -> None:
    content = har_bytes([har_entry()]) if kind is HarSource else NDJSON
    source = open_source(write(tmp_path / name, content), start_seq=7)
    assert type(source) is kind
    items = list(source)
    assert len(items) == 1 and isinstance(items[0], Transaction) and items[0].seq == 7


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b'\xef\xbb\xbf {\n  "log": {"entries": []}}', HarSource),
        (NDJSON, NdjsonSource),
        (b"", NdjsonSource),
    ],
)
@pytest.mark.parametrize("name", ["traffic.json", "traffic.bin.gz"])
def test_open_source_sniffs_unknown_suffixes(tmp_path: Path, content: bytes, kind: type, name: str) -> None:
    source = open_source(write(tmp_path / name, content), 0)
    assert type(source) is kind
    source.close()


def test_open_source_input_errors_name_the_file(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.har", tmp_path / "missing.bin", tmp_path):
        with pytest.raises(InputError) as info:
            open_source(path, 0)
        assert str(path) in str(info.value)
    ndjson_as_har = write(tmp_path / "wrong.har", NDJSON)
    with pytest.raises(InputError, match="not a HAR file"):
        open_source(ndjson_as_har, 0)


@pytest.mark.parametrize("name", ["big.har", "big.har.gz", "big.ndjson.gz"])
def test_progress_counts_file_bytes(tmp_path: Path, name: str) -> None:
    entries = [har_entry(url=f"https://a.example/{i}", response_text=f"{i}" * 3000) for i in range(300)]
    data = har_bytes(entries) if ".har" in name else NDJSON * 3000
    path = write(tmp_path / name, data)
    source = open_source(path, 0)
    assert source.total_bytes == path.stat().st_size
    seen = [source.bytes_read for _ in source]
    assert seen == sorted(seen)
    assert source.bytes_read == source.total_bytes


def test_a_source_is_iterated_once_and_closes(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "t.har", har_bytes([har_entry()])), 0)
    list(source)
    with pytest.raises(RuntimeError):
        list(source)
    with open_source(write(tmp_path / "u.har", har_bytes([har_entry()])), 0) as opened:
        assert opened.bytes_read >= 0


def test_rejection_is_frozen_and_encodable() -> None:
    rejection = Rejection(source="f.har", index=3, reason="bad")
    with pytest.raises(AttributeError):
        rejection.index = 4  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(rejection), type=Rejection) == rejection
