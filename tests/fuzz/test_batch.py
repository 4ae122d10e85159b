"""Fuzzing the collector's batch parser and the bus message format between collector and worker.

The properties: ``parse_har``, ``parse_ndjson`` and ``gunzip_capped`` raise only ``BatchError``
(naming an entry that exists, when they name one) or ``TooLarge``; a batch of valid entries is
accepted whole; and what the collector accepted reaches the worker whole: the lines it forwards,
split into bus messages and decoded by ``decode_message``, give back every transaction, unchanged
but for ``seq`` and ``source``. ``decode_message`` on any payload raises only ``BatchError`` and
yields one item per line, never raising while iterated.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Sequence

from hypothesis import given
from hypothesis import strategies as st

from fuzz._harness import fanout, fuzz, fuzz_input
from fuzz.strategies import byte_variants, har_document, har_entries, is_blank, mutated, ndjson_lines
from tracehound.cluster.batch import (
    BatchError,
    TooLarge,
    decode_message,
    encode_messages,
    gunzip_capped,
    parse_har,
    parse_ndjson,
    transactions_to_lines,
)
from tracehound.model import Transaction

tenants = st.text(min_size=1, max_size=12)
message_sizes = st.sampled_from([1, 100, 2000, 768 * 1024])


def forwarded(tenant: str, lines: list[bytes], max_bytes: int) -> list[Transaction]:
    """What a worker decodes from the messages the collector publishes for ``lines``."""
    out: list[Transaction] = []
    for payload in encode_messages(tenant, lines, max_bytes):
        got_tenant, items = decode_message(payload, "worker")
        assert got_tenant == tenant
        for item in items:
            assert isinstance(item, Transaction), f"a line the collector accepted fails on the worker: {item}"
            out.append(item)
    return out


def same_traffic(a: Transaction, b: Transaction) -> bool:
    return a.__struct_config__ is not None and all(
        getattr(a, f) == getattr(b, f) for f in a.__struct_fields__ if f not in ("seq", "source")
    )


@fuzz("batch", 0.35)
@given(data=st.data(), tenant=tenants, max_bytes=message_sizes)
def test_har_batches_are_accepted_whole_or_refused(data: st.DataObject, tenant: str, max_bytes: int) -> None:
    entries, valid = data.draw(har_entries())
    body = data.draw(har_document(entries))
    if fanout():
        for variant in byte_variants(data.draw(st.integers(0, 2**32)), body, fanout()):
            fuzz_input("batch", len(entries))
            parse_hostile(variant, parse_har)
    fuzz_input("batch", len(entries))
    try:
        txs = parse_har(body)
    except BatchError as e:
        assert e.reason
        assert e.index is None or 0 <= e.index < len(entries)
        assert not all(valid) or e.index is None, f"valid entry refused: {e}"
        return
    assert len(txs) == len(entries)
    back = forwarded(tenant, transactions_to_lines(txs), max_bytes)
    assert len(back) == len(txs), "transactions lost between collector and worker"
    for before, after in zip(txs, back):
        assert same_traffic(before, after), f"changed on the bus:\n{before}\n{after}"


@fuzz("batch", 0.3)
@given(data=st.data(), tenant=tenants, max_bytes=message_sizes)
def test_ndjson_batches_are_accepted_whole_or_refused(data: st.DataObject, tenant: str, max_bytes: int) -> None:
    lines, valid = data.draw(ndjson_lines())
    body = b"\n".join(lines)
    if fanout():
        for variant in byte_variants(data.draw(st.integers(0, 2**32)), body, fanout()):
            fuzz_input("batch", len(lines))
            parse_hostile(variant, parse_ndjson)
    fuzz_input("batch", len(lines))
    numbers = [n for n, line in enumerate(lines) if not is_blank(line)]
    try:
        accepted = parse_ndjson(body)
    except BatchError as e:
        assert e.reason and e.index in numbers
        assert not valid[e.index], f"valid record refused: {e}"
        return
    assert accepted == [lines[n] for n in numbers]
    back = forwarded(tenant, accepted, max_bytes)
    assert len(back) == len(accepted), "records lost between collector and worker"


def parse_hostile(body: bytes, parse: Callable[[bytes], Sequence[object]]) -> None:
    """Any body: parsed, or refused with ``BatchError`` (naming a line that exists, for NDJSON)."""
    try:
        parse(body)
    except BatchError as e:
        assert e.reason
        if parse is parse_ndjson:
            assert e.index is not None and 0 <= e.index <= body.count(b"\n")


@fuzz("batch", 0.15)
@given(data=st.data())
def test_mutated_batches_raise_only_batch_error(data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        entries, _ = data.draw(har_entries())
        body = data.draw(st.one_of(mutated(data.draw(har_document(entries))), st.binary(max_size=200)))
        fuzz_input("batch")
        try:
            parse_har(body)
        except BatchError as e:
            assert e.reason
    else:
        lines, _ = data.draw(ndjson_lines())
        body = data.draw(st.one_of(mutated(b"\n".join(lines)), st.binary(max_size=200)))
        fuzz_input("batch")
        try:
            parse_ndjson(body)
        except BatchError as e:
            assert e.reason and e.index is not None and 0 <= e.index <= body.count(b"\n")


@fuzz("batch", 0.1)
@given(data=st.data(), payload=st.binary(max_size=300), cap=st.sampled_from([0, 1, 100, 1 << 20]))
def test_gunzip_gives_the_body_or_refuses_it(data: st.DataObject, payload: bytes, cap: int) -> None:
    fuzz_input("batch")
    members = data.draw(st.integers(1, 3))
    step = len(payload) // members + 1
    body = b"".join(gzip.compress(payload[i : i + step], mtime=0) for i in range(0, max(len(payload), 1), step))
    how = data.draw(st.sampled_from(["whole", "whole", "mutated", "zlib", "raw"]))
    if how == "mutated":
        body = data.draw(mutated(body))
    elif how == "zlib":
        body = zlib.compress(payload)
    elif how == "raw":
        body = payload
    try:
        out = gunzip_capped(body, cap)
    except (BatchError, TooLarge):
        assert how != "whole" or len(payload) > cap, "a valid gzip body under the cap refused"
        return
    if how == "whole":
        assert out == payload, "gzip members lost"


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            [
                b'{"v":1,"tenant":"acme","count":2}',
                b'{"v":2,"tenant":"acme","count":1}',
                b'{"v":1,"tenant":7,"count":1}',
                b'{"v":1}',
                b"",
                b"[]",
                b'{"v":1,"tenant":"\\ud800","count":-1}',
            ]
        )
    )
    if draw(st.integers(0, 4)) == 0:
        header = draw(mutated(header))
    lines, _ = draw(ndjson_lines())
    parts = [header, *lines]
    if draw(st.integers(0, 4)) == 0:
        return draw(mutated(b"\n".join(parts)))
    return b"\n".join(parts)


@fuzz("batch", 0.1)
@given(payload=payloads())
def test_bus_messages_decode_line_by_line(payload: bytes) -> None:
    fuzz_input("batch", payload.count(b"\n"))
    try:
        _, items = decode_message(payload, "worker")
    except BatchError as e:
        assert str(e)
        return
    got = list(items)
    rest = payload.partition(b"\n")[2]
    assert len(got) == (len(rest.split(b"\n")) if rest else 0), "a bus line neither decoded nor reported"
    for item in got:
        assert isinstance(item, Transaction | BatchError)
