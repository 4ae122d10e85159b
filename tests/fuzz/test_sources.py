"""Fuzzing the traffic sources: HAR and NDJSON files, plain and gzip, through ``open_source``.

The properties: a source raises only ``InputError``, and only when it is opened (a file that is
not the format at all); iterating never raises; every entry written comes out exactly once, in
order, as a transaction or a counted rejection (none silently dropped); and an entry known to be
valid comes out as a transaction. Documents are built entry by entry (``strategies.py``), then
written as ``.har``/``.ndjson``, gzipped or not, or named so the content decides.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import fanout, fuzz, fuzz_input
from fuzz.strategies import byte_variants, har_document, har_entries, is_blank, mutated, ndjson_lines
from tracehound.errors import InputError
from tracehound.model import Transaction
from tracehound.sources import HarSource, NdjsonSource, Rejection, Source, open_source
from tracehound.sources.base import DEFAULT_MAX_ENTRY_BYTES
from tracehound.sources.har import DEFAULT_CHUNK_SIZE

Item = Transaction | Rejection

HAR_NAMES = ["t.har", "T.HAR", "t.har.gz", "t.json", "t", "t.json.gz"]
NDJSON_NAMES = ["t.ndjson", "t.jsonl", "t.ndjson.gz", "t.JSONL.GZ"]
ANY_NAMES = [*HAR_NAMES, *NDJSON_NAMES, "t.txt", "t.gz"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-sources")


def write(workdir: Path, name: str, data: bytes, gzipped: bool | None = None) -> Path:
    """``data`` at ``workdir/name``, gzipped when the name ends in ``.gz`` (or ``gzipped`` says so)."""
    for old in workdir.iterdir():
        old.unlink()
    path = workdir / name
    if gzipped if gzipped is not None else name.lower().endswith(".gz"):
        data = gzip.compress(data, compresslevel=1, mtime=0)
    path.write_bytes(data)
    return path


def drain(source: Source) -> Iterator[Item]:
    with source:
        yield from source


def index_of(item: Item, start_seq: int) -> int:
    return item.index if isinstance(item, Rejection) else item.seq - start_seq


def check_har_items(items: list[Item], source: Source, start_seq: int) -> None:
    """Indices 0..n-1, each once, in order; ``count`` and ``next_seq`` agree with what was yielded."""
    assert [index_of(i, start_seq) for i in items] == list(range(len(items)))
    assert source.count == len(items)
    assert source.next_seq == start_seq + len(items)
    for item in items:
        if isinstance(item, Rejection):
            assert item.reason and item.source == source.name


def open_har(path: Path, start_seq: int, data: st.DataObject) -> tuple[Source, bool]:
    """``open_source``, or a ``HarSource`` with a small read chunk or entry cap; and whether the
    entry cap is the default (with a small one, a valid entry may be rejected as too large)."""
    how = data.draw(st.sampled_from(["open_source", "open_source", "chunked", "capped"]))
    if how == "open_source":
        return open_source(path, start_seq), True
    chunk = data.draw(st.sampled_from([1, 3, 17, 256, 4096, DEFAULT_CHUNK_SIZE]))
    cap = data.draw(st.sampled_from([40, 300, 5000])) if how == "capped" else DEFAULT_MAX_ENTRY_BYTES
    return HarSource(path, start_seq, chunk_size=chunk, max_entry_bytes=cap), cap == DEFAULT_MAX_ENTRY_BYTES


@fuzz("sources.har", 0.6)
@given(data=st.data(), start_seq=st.integers(0, 2**40))
def test_har_documents_yield_every_entry_once(workdir: Path, data: st.DataObject, start_seq: int) -> None:
    entries, valid = data.draw(har_entries())
    name = data.draw(st.sampled_from(HAR_NAMES))
    doc = data.draw(har_document(entries, log_first=".har" not in name.lower()))
    path = write(workdir, name, doc)
    fuzz_input("sources.har", len(entries))
    source, default_cap = open_har(path, start_seq, data)
    items = list(drain(source))
    check_har_items(items, source, start_seq)
    assert len(items) == len(entries), "entries silently dropped or invented"
    if default_cap:
        for item, ok in zip(items, valid):
            assert not ok or isinstance(item, Transaction), f"valid entry rejected: {item}"
    if fanout():
        for variant in byte_variants(data.draw(st.integers(0, 2**32)), doc, fanout()):
            fuzz_input("sources.har", len(entries))
            read_hostile_har(write(workdir, name, variant), start_seq, data)


def read_hostile_har(path: Path, start_seq: int, data: st.DataObject) -> None:
    """Any file: ``InputError`` when opened, or a stream numbered without gaps."""
    try:
        source, _ = open_har(path, start_seq, data)
    except InputError as e:
        assert str(e).startswith(str(path))
        return
    items = list(drain(source))
    if isinstance(source, HarSource):
        check_har_items(items, source, start_seq)
    else:  # a mutant no longer starting like HAR, named t.json: read as NDJSON, numbered by line
        assert source.count == len(items)


@fuzz("sources.har", 0.3)
@given(data=st.data(), start_seq=st.integers(0, 2**40))
def test_har_mutated_bytes_raise_only_input_error(workdir: Path, data: st.DataObject, start_seq: int) -> None:
    entries, _ = data.draw(har_entries())
    doc = data.draw(har_document(entries))
    name = data.draw(st.sampled_from(HAR_NAMES))
    if name.endswith(".gz") and data.draw(st.booleans()):
        # Corrupt the compressed stream itself: a bad deflate block, a cut member, a bad CRC.
        raw = data.draw(mutated(gzip.compress(doc, compresslevel=1, mtime=0)))
        path = write(workdir, name, raw, gzipped=False)
    else:
        path = write(workdir, name, data.draw(mutated(doc)))
    fuzz_input("sources.har", len(entries))
    read_hostile_har(path, start_seq, data)


@fuzz("sources.har", 0.1)
@given(data=st.data(), raw=st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_input_error(workdir: Path, data: st.DataObject, raw: bytes) -> None:
    prefix = data.draw(st.sampled_from([b"", b'{"log": {"entries": [', b'{"log":{"entries":[{"request":', b"\x1f\x8b"]))
    path = write(workdir, data.draw(st.sampled_from(ANY_NAMES)), prefix + raw)
    fuzz_input("sources.har")
    try:
        source = open_source(path, 0)
    except InputError:
        return
    items = list(drain(source))
    if isinstance(source, HarSource):
        check_har_items(items, source, 0)
    else:
        assert source.count == len(items)


def check_ndjson_items(items: list[Item], lines: list[bytes], source: Source, start_seq: int) -> None:
    """One item per non-blank line, in order: a rejection names the line, a transaction is numbered
    by record (blank lines do not count)."""
    numbers = [n for n, line in enumerate(lines) if not is_blank(line)]
    assert len(items) == len(numbers), "lines silently dropped or invented"
    for k, (item, lineno) in enumerate(zip(items, numbers)):
        if isinstance(item, Rejection):
            assert item.index == lineno and item.reason and item.source == source.name
        else:
            assert item.seq == start_seq + k
    assert source.count == len(items)
    assert source.next_seq == start_seq + len(items)


def open_ndjson(path: Path, start_seq: int, data: st.DataObject) -> tuple[Source, bool]:
    if data.draw(st.integers(0, 3)):
        return open_source(path, start_seq), True
    cap = data.draw(st.sampled_from([4, 30, 500]))  # over any blank line generated
    return NdjsonSource(path, start_seq, max_line_bytes=cap), False


@fuzz("sources.ndjson", 0.6)
@given(data=st.data(), start_seq=st.integers(0, 2**40))
def test_ndjson_files_yield_every_line_once(workdir: Path, data: st.DataObject, start_seq: int) -> None:
    lines, valid = data.draw(ndjson_lines())
    end = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    text = end.join(lines) + (end if data.draw(st.booleans()) else b"")
    if end == b"\r\n":
        lines = [line + b"\r" for line in lines]
    path = write(workdir, data.draw(st.sampled_from(NDJSON_NAMES)), text)
    fuzz_input("sources.ndjson", len(lines))
    source, default_cap = open_ndjson(path, start_seq, data)
    items = list(drain(source))
    check_ndjson_items(items, lines, source, start_seq)
    if default_cap:
        records = [ok for line, ok in zip(lines, valid) if not is_blank(line)]
        for item, ok in zip(items, records):
            assert not ok or isinstance(item, Transaction), f"valid record rejected: {item}"
    if fanout():
        name = data.draw(st.sampled_from(NDJSON_NAMES))
        for variant in byte_variants(data.draw(st.integers(0, 2**32)), text, fanout()):
            # Whatever the bytes (decompressed, for .gz), one item per non-blank line.
            fuzz_input("sources.ndjson", variant.count(b"\n") + 1)
            source = open_source(write(workdir, name, variant), start_seq)
            check_ndjson_items(list(drain(source)), variant.split(b"\n"), source, start_seq)


@fuzz("sources.ndjson", 0.25)
@given(data=st.data())
def test_ndjson_raw_bytes_yield_every_line_once(workdir: Path, data: st.DataObject) -> None:
    """Plain bytes, NDJSON-named: whatever the content, one item per non-blank line."""
    lines, _ = data.draw(ndjson_lines())
    raw = data.draw(st.one_of(st.binary(max_size=300), mutated(b"\n".join(lines))))
    path = write(workdir, data.draw(st.sampled_from(["t.ndjson", "t.jsonl"])), raw)
    fuzz_input("sources.ndjson", raw.count(b"\n") + 1)
    source = open_source(path, 7)
    items = list(drain(source))
    check_ndjson_items(items, raw.split(b"\n"), source, 7)


@fuzz("sources.ndjson", 0.15)
@given(data=st.data())
def test_ndjson_corrupt_gzip_raises_only_input_error(workdir: Path, data: st.DataObject) -> None:
    lines, _ = data.draw(ndjson_lines())
    raw = data.draw(mutated(gzip.compress(b"\n".join(lines), compresslevel=1, mtime=0)))
    path = write(workdir, data.draw(st.sampled_from(["t.ndjson.gz", "t.jsonl.gz", "t.gz"])), raw, gzipped=False)
    fuzz_input("sources.ndjson", len(lines))
    try:
        source = open_source(path, 0)
    except InputError as e:
        assert str(e).startswith(str(path))
        return
    items = list(drain(source))
    assert source.count == len(items)
    lines_seen = [i.index for i in items if isinstance(i, Rejection)]
    assert lines_seen == sorted(lines_seen)
