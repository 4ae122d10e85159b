"""Collector batches: validating a HAR or NDJSON body, and the bus message format between collector and worker.

The collector parses every entry before answering (a batch is accepted whole or refused with the
offending entry's index), then forwards the transactions as native NDJSON lines (the format of
:mod:`tracehound.sources.ndjson`), behind one header line naming the tenant::

    {"v": 1, "tenant": "acme", "count": 2}
    {"v": 1, "request": {...}, ...}
    {"v": 1, "request": {...}, ...}

NDJSON bodies are forwarded line for line once validated (no re-encoding: the hot path), HAR
entries are converted once. The tenant comes from the API key, never from the body; workers trust
only the header line, which only a collector writes. Bus messages are capped in size (NATS refuses
payloads over 1 MiB by default), so a big batch becomes several messages whose ids derive from the
batch id: a retried batch is deduplicated message by message.

Every decode goes through ``sources._json.decode_repairing_utf8``, which turns msgspec's
``RecursionError`` on deep nesting (``{"log": {"entries": [[[[...]]]]}}``, a line nested 100,000
deep) into ``TooDeep``, a ``msgspec.DecodeError``: a ``BatchError`` with its reason, so a 400, and
on a worker an error of that line, never an exception that escapes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import msgspec

from tracehound.model import Transaction
from tracehound.sources._json import decode_repairing_utf8
from tracehound.sources.har import HarEntry, har_entry_to_transaction
from tracehound.sources.ndjson import (
    FORMAT_VERSION,
    NdjsonRecord,
    encode_ndjson,
    record_to_transaction,
    version_reason,
)

__all__ = [
    "BatchError",
    "BatchHeader",
    "TooLarge",
    "batch_id",
    "decode_message",
    "encode_messages",
    "gunzip_capped",
    "is_traffic",
    "parse_har",
    "parse_ndjson",
    "subject_for",
    "traffic_prefix",
    "transactions_to_lines",
]


class BatchError(ValueError):
    """An invalid batch: ``reason`` and, when one entry is at fault, its 0-based ``index``."""

    def __init__(self, reason: str, index: int | None = None) -> None:
        super().__init__(reason if index is None else f"entry {index}: {reason}")
        self.reason = reason
        self.index = index


class TooLarge(ValueError):
    """A body over a size cap."""


class BatchHeader(msgspec.Struct, frozen=True):
    v: int
    tenant: str
    count: int


class _HarLog(msgspec.Struct):
    entries: list[HarEntry]


class _HarDocument(msgspec.Struct):
    log: _HarLog


_HAR_DOC: Final = msgspec.json.Decoder(_HarDocument)
_ENTRY_PATH: Final = re.compile(r"^(?P<message>.*) - at `\$\.log\.entries\[(?P<index>\d+)\](?P<rest>[^`]*)`$", re.S)
_RECORD: Final = msgspec.json.Decoder(NdjsonRecord)
_HEADER: Final = msgspec.json.Decoder(BatchHeader)
_ENCODER: Final = msgspec.json.Encoder()
_SUBJECT_UNSAFE: Final = str.maketrans({c: "_" for c in ".*> \t\r\n"})


def gunzip_capped(body: bytes, cap: int) -> bytes:
    """Decode a gzip body, raising :class:`TooLarge` beyond ``cap`` bytes and BatchError if corrupt.

    A body of several gzip members (``cat a.gz b.gz``, what ``gzip`` itself accepts) decodes to
    all of them joined: a decoder stops at the end of the first member, and the rest would be
    accepted and silently lost.
    """
    parts: list[bytes] = []
    size = 0
    rest = body
    while True:
        decoder = zlib.decompressobj(wbits=31)
        try:
            out = decoder.decompress(rest, cap - size + 1)
        except zlib.error as exc:
            raise BatchError(f"invalid gzip body: {exc}") from None
        size += len(out)
        if size > cap:
            raise TooLarge(f"gzip body decodes to more than {cap} bytes")
        if not decoder.eof:
            raise BatchError("invalid gzip body: truncated")
        parts.append(out)
        rest = decoder.unused_data
        if not rest:
            return b"".join(parts)


def parse_har(body: bytes, source: str = "collector") -> list[Transaction]:
    """Every entry of a HAR document as a transaction; BatchError names the first bad entry.

    The entries are decoded typed in the same C pass as the document, so a batch is never held
    as a list of raw entries first: a body of millions of tiny entries (``[{},{},...]``, 3 bytes
    each) would cost about 20 times its size that way, and a typed decode stops at the first
    entry that is not one. msgspec's error path (``$.log.entries[7].request``) gives the index.
    """
    try:
        doc = decode_repairing_utf8(_HAR_DOC, body)
    except msgspec.ValidationError as exc:
        m = _ENTRY_PATH.match(str(exc))
        if m is None:
            raise BatchError(f"not a HAR document: {exc}") from None
        where = f" - at `${m.group('rest')}`" if m.group("rest") else ""
        raise BatchError(f"invalid entry: {m.group('message')}{where}", int(m.group("index"))) from None
    except msgspec.DecodeError as exc:
        raise BatchError(f"invalid JSON: {exc}") from None
    entries = doc.log.entries
    del doc
    entries.reverse()  # popped from the end: each decoded entry is freed once converted
    out = []
    index = -1
    while entries:
        entry = entries.pop()
        index += 1
        try:
            out.append(har_entry_to_transaction(entry, index, source))
        except RecursionError:
            raise BatchError("entry nested too deeply", index) from None
        except ValueError as exc:
            raise BatchError(str(exc), index) from None
    return out


def parse_ndjson(body: bytes) -> list[bytes]:
    """The non-blank lines of an NDJSON body, each checked to be a valid record (index: its line)."""
    lines = []
    body = body.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 BOM is not part of the first record
    for index, line in enumerate(body.split(b"\n")):
        if not line or line.isspace():
            continue
        _check_record(line, index)
        lines.append(line)
    return lines


def _check_record(line: bytes, index: int) -> Transaction:
    try:
        record = decode_repairing_utf8(_RECORD, line)
    except msgspec.ValidationError as exc:
        raise BatchError(f"invalid record: {exc}", index) from None
    except msgspec.DecodeError as exc:
        raise BatchError(f"invalid JSON: {exc}", index) from None
    if record.v != FORMAT_VERSION:
        raise BatchError(version_reason(record.v), index)
    try:
        return record_to_transaction(record, index, "collector")
    except ValueError as exc:
        raise BatchError(str(exc), index) from None


def batch_id(tenant: str, body: bytes) -> str:
    """The id of a batch: the same tenant and (decoded) body always give the same id."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(tenant.encode())
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def traffic_prefix(bus_url: str) -> str:
    """The subject prefix a bus URL's stream captures: ``subjects=acme.>`` gives ``acme``.

    Several streams can then share a NATS cluster (one per deployment or test), each with its
    own subjects; the default stream captures ``tracehound.>``.
    """
    subjects = dict(parse_qsl(urlsplit(bus_url).query)).get("subjects", "tracehound.>")
    return subjects[:-2] if subjects.endswith(".>") else "tracehound"


def subject_for(tenant: str, prefix: str = "tracehound") -> str:
    """``<prefix>.traffic.<tenant>``, the tenant made safe as one subject token."""
    return f"{prefix}.traffic." + (tenant.translate(_SUBJECT_UNSAFE) or "_")


def is_traffic(subject: str) -> bool:
    """Whether a subject is one ``subject_for`` makes."""
    tokens = subject.split(".")
    return len(tokens) >= 3 and tokens[-2] == "traffic"


def encode_messages(tenant: str, lines: list[bytes], max_bytes: int) -> list[bytes]:
    """Payloads of at most about ``max_bytes`` (a single larger line gets a message of its own)."""
    out: list[bytes] = []
    chunk: list[bytes] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > max_bytes:
            out.append(_payload(tenant, chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk or not out:
        out.append(_payload(tenant, chunk))
    return out


def transactions_to_lines(txs: list[Transaction]) -> list[bytes]:
    return [encode_ndjson(tx).rstrip(b"\n") for tx in txs]


def _payload(tenant: str, lines: list[bytes]) -> bytes:
    header = _ENCODER.encode(BatchHeader(FORMAT_VERSION, tenant, len(lines)))
    return b"\n".join([header, *lines])


def decode_message(payload: bytes, source: str) -> tuple[str, Iterator[Transaction | BatchError]]:
    """(tenant, transactions or per-line errors) of a bus payload; BatchError if the header is bad."""
    head, _, rest = payload.partition(b"\n")
    try:
        header = decode_repairing_utf8(_HEADER, head)
    except msgspec.MsgspecError as exc:
        raise BatchError(f"bus message without a valid batch header: {exc}") from None
    if header.v != FORMAT_VERSION:
        raise BatchError(f"bus message of batch format v={header.v}; this worker reads v={FORMAT_VERSION}")

    def transactions() -> Iterator[Transaction | BatchError]:
        if not rest:
            return
        for index, line in enumerate(rest.split(b"\n")):
            try:
                record = decode_repairing_utf8(_RECORD, line)
                yield record_to_transaction(record, index, source)
            except (msgspec.MsgspecError, ValueError) as exc:
                yield BatchError(str(exc), index)

    return header.tenant, transactions()
