"""The native Tracehound transaction format: NDJSON, version 1 (``.ndjson``/``.jsonl``, ``.gz``).

HAR is what browsers and proxies export; this is what Tracehound's own sensors write and what a
user's script can produce with a ``json.dumps`` per request: one JSON object per line, no
envelope, so files can be appended to, concatenated, split and streamed.

Format, version 1
-----------------

One transaction per line, UTF-8, lines separated by ``\\n``::

    {"v": 1,
     "time": "2026-11-25T10:00:00Z",
     "client": "203.0.113.9",
     "request": {"method": "GET",
                 "url": "https://api.example.com/users/42?x=1",
                 "headers": [["Host", "api.example.com"], ["Accept", "application/json"]],
                 "body": "text",
                 "body_encoding": "base64"},
     "response": {"status": 200,
                  "headers": {"Content-Type": "application/json"},
                  "body": "{\\"id\\": 42}"},
     "duration_ms": 12.5,
     "request_id": "a1b2"}

(shown on several lines for reading; in a file each transaction is one line).

=====================  =========  ==================================================================
field                  required   meaning
=====================  =========  ==================================================================
``v``                  yes        format version, ``1``; other versions are rejected (per line)
``request.method``     yes        HTTP method; upper-cased when read
``request.url``        yes        absolute URL; the scheme, host (default port dropped), raw path
                                  and raw query are taken from it
``request.headers``    no         ``[[name, value], ...]`` (order and repeats kept) or
                                  ``{"name": "value"}``; names are lower-cased when read
``request.body``       no         the body as text, or base64 when ``body_encoding`` is
                                  ``"base64"`` (for bodies that are not UTF-8)
``response``           no         ``status`` (integer), ``headers``, ``body``, ``body_encoding``
                                  as for the request; absent means no response was seen
``time``               no         start time: ISO 8601 (``Z`` or an offset; none means UTC) or Unix
                                  seconds as a number
``client``             no         client address; default: first ``X-Forwarded-For`` address
``duration_ms``        no         time to the full response, in milliseconds
``request_id``         no         default: the ``X-Request-Id`` request header
=====================  =========  ==================================================================

Unknown fields are ignored, so producers may add their own. Blank lines are skipped. A line
that is not a valid record is rejected with its 0-based line number and the reason, and reading
goes on; transactions are numbered by record (blank lines do not count), so a file without
blank lines numbers transactions and lines alike.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

import msgspec

from tracehound.errors import InputError
from tracehound.model import Headers, Transaction
from tracehound.sources._http import duration, forwarded_client, header, parse_time, split_url
from tracehound.sources._json import TOO_DEEP, TooDeep, decode_repairing_utf8
from tracehound.sources._reasons import text_for_reason, url_error_for_reason, url_for_reason
from tracehound.sources.base import (
    DEFAULT_MAX_ENTRY_BYTES,
    READ_ERRORS,
    Rejection,
    Source,
    describe_read_error,
)

FORMAT_VERSION = 1

WireHeaders = list[tuple[str, str]] | dict[str, str]


class NdjsonRequest(msgspec.Struct, gc=False, omit_defaults=True):
    method: str
    url: str
    headers: WireHeaders | None = None
    body: str | None = None
    body_encoding: str | None = None


class NdjsonResponse(msgspec.Struct, gc=False, omit_defaults=True):
    status: int = 0
    headers: WireHeaders | None = None
    body: str | None = None
    body_encoding: str | None = None


class NdjsonRecord(msgspec.Struct, gc=False, omit_defaults=True):
    """One line of the format (see the module docstring)."""

    v: int
    request: NdjsonRequest
    response: NdjsonResponse | None = None
    time: str | float | None = None
    client: str | None = None
    duration_ms: float | None = None
    request_id: str | None = None


class _Version(msgspec.Struct, gc=False):
    v: Any = None


_DECODER: Final = msgspec.json.Decoder(NdjsonRecord)
_VERSION_DECODER: Final = msgspec.json.Decoder(_Version)
_ENCODER: Final = msgspec.json.Encoder()
_SKIP_CHUNK = 1024 * 1024


class _Reject(ValueError):
    """A record that decoded but cannot be a transaction; the message is the reason."""


class NdjsonSource(Source):
    """Transactions from a Tracehound NDJSON file (plain or gzip), one line at a time."""

    def __init__(
        self,
        path: Path,
        start_seq: int = 0,
        *,
        compressed: bool | None = None,
        max_line_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
    ) -> None:
        super().__init__(path, start_seq)
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self.max_line_bytes = max_line_bytes
        self._stream: BinaryIO = self._open(compressed)
        if self._stream is not self._raw:
            try:  # a bad gzip header is a file-level error: report it now, not as line 0
                self._stream.peek(1)  # type: ignore[attr-defined]
            except READ_ERRORS as e:
                self.close()
                raise InputError(f"{path}: {describe_read_error(e)}") from None

    def _read(self) -> Iterator[Transaction | Rejection]:
        readline = self._stream.readline
        cap = self.max_line_bytes
        decode = self._decode
        lineno = -1
        index = 0
        while True:
            try:
                line = readline(cap + 1)
            except READ_ERRORS as e:
                yield self._reject(lineno + 1, describe_read_error(e))
                index += 1
                break
            if not line:
                break
            lineno += 1
            if lineno == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # a UTF-8 BOM, as editors and PowerShell write it: not part of the record
            if len(line) > cap and line[-1] != 0x0A:
                try:
                    while (rest := readline(_SKIP_CHUNK)) and rest[-1] != 0x0A:
                        pass
                except READ_ERRORS:
                    pass  # reported by the next readline
                yield self._reject(lineno, f"line larger than {cap} bytes")
                index += 1
                self.count = index
                continue
            if line.isspace():
                continue
            yield decode(line, lineno, self.start_seq + index)
            index += 1
            self.count = index
        self.count = index

    def _decode(self, line: bytes, lineno: int, seq: int) -> Transaction | Rejection:
        try:
            try:
                record = decode_repairing_utf8(_DECODER, line)
            except msgspec.ValidationError as e:
                version = _version(line)
                if version != FORMAT_VERSION:
                    return self._reject(lineno, version_reason(version))
                return self._reject(lineno, f"invalid record: {e}")
            if record.v != FORMAT_VERSION:
                return self._reject(lineno, version_reason(record.v))
            return record_to_transaction(record, seq, self.name)
        except msgspec.ValidationError as e:
            return self._reject(lineno, f"invalid record: {e}")
        except msgspec.DecodeError as e:
            return self._reject(lineno, f"invalid JSON: {e}")
        except _Reject as e:
            return self._reject(lineno, str(e))


def _version(line: bytes) -> Any:
    """The ``v`` of a line that is not a valid record, or None; ``TooDeep`` if nested too deeply.

    A line whose typed decode stopped early at a wrongly typed field can nest deeper further on,
    so this second, untyped pass may be the one to meet the nesting.
    """
    try:
        return _VERSION_DECODER.decode(line).v
    except RecursionError:
        raise TooDeep(TOO_DEEP) from None
    except (msgspec.MsgspecError, UnicodeDecodeError):
        return None


def version_reason(version: Any) -> str:
    if version is None:
        return "not a Tracehound NDJSON record: no 'v' field"
    return f"unsupported format version v={text_for_reason(str(version), 20)!r} (this Tracehound reads v=1)"


def _headers(value: WireHeaders | None) -> Headers:
    if not value:
        return ()
    if isinstance(value, dict):
        return tuple([(name.lower(), v) for name, v in value.items()])
    return tuple([(name.lower(), v) for name, v in value])


def _body(text: str | None, encoding: str | None, where: str) -> bytes:
    if not text:
        return b""
    if encoding is None:
        return text.encode("utf-8", "surrogatepass")
    if encoding.lower() != "base64":
        raise _Reject(f"unknown {where}_encoding (expected 'base64' or none)")
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise _Reject(f"invalid base64 in {where}") from None


def record_to_transaction(record: NdjsonRecord, seq: int, source: str) -> Transaction:
    """The ``Transaction`` for a decoded record; raises ``ValueError`` with the reason if none."""
    request = record.request
    method = request.method.strip().upper()
    if not method:
        raise _Reject("request.method is empty")
    try:
        scheme, host, path, query = split_url(request.url)
    except ValueError as e:
        raise _Reject(f"invalid request.url {url_for_reason(request.url)}: {url_error_for_reason(e)}") from None
    headers = _headers(request.headers)
    response = record.response
    status = 0
    response_headers: Headers = ()
    response_body = b""
    if response is not None:
        status = response.status
        if not 0 <= status <= 999:
            raise _Reject("response.status out of range (an HTTP status is 0-999)")
        response_headers = _headers(response.headers)
        response_body = _body(response.body, response.body_encoding, "response.body")
    return Transaction(
        seq=seq,
        source=source,
        method=method,
        scheme=scheme,
        host=host,
        path=path,
        query=query,
        request_headers=headers,
        request_body=_body(request.body, request.body_encoding, "request.body"),
        status=status,
        response_headers=response_headers,
        response_body=response_body,
        started=parse_time(record.time),
        duration_ms=duration(record.duration_ms),
        client=record.client or forwarded_client(headers),
        request_id=record.request_id or header(headers, "x-request-id"),
    )


def _wire_body(body: bytes) -> tuple[str | None, str | None]:
    if not body:
        return None, None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def encode_ndjson(tx: Transaction) -> bytes:
    """One line (with its ``\\n``) of the format for ``tx``; reading it back gives ``tx`` again
    (but for ``seq`` and ``source``, which belong to the reader)."""
    query = f"?{tx.query}" if tx.query else ""
    request_body, request_encoding = _wire_body(tx.request_body)
    response_body, response_encoding = _wire_body(tx.response_body)
    record = NdjsonRecord(
        v=FORMAT_VERSION,
        time=tx.started,
        client=tx.client,
        request=NdjsonRequest(
            method=tx.method,
            url=f"{tx.scheme}://{tx.host}{tx.path}{query}",
            headers=[(name, value) for name, value in tx.request_headers] or None,
            body=request_body,
            body_encoding=request_encoding,
        ),
        response=NdjsonResponse(
            status=tx.status,
            headers=[(name, value) for name, value in tx.response_headers] or None,
            body=response_body,
            body_encoding=response_encoding,
        ),
        duration_ms=tx.duration_ms,
        request_id=tx.request_id,
    )
    return _ENCODER.encode(record) + b"\n"
