"""HAR 1.2 files (``.har``, ``.har.gz``) read as a stream, one entry at a time.

Browser and proxy exports reach gigabytes, so the document is never parsed whole: memory stays
bounded by the read chunk plus the largest entry, whatever the file size. Speed matters as much
(the whole pipeline targets 20,000 transactions/s per core), so an entry costs one or two
C-level passes and little Python:

1. *Framing.* After the keys that precede ``log.entries`` are skipped (``version``,
   ``creator``, ``pages``...), an entry is first framed by where the next one starts: the
   entries of a file start alike (``{"startedDateTime":``, whitespace included), text that
   cannot occur inside a JSON string, so the entry ends at the last ``}`` before the next
   occurrence; the typed decode (step 2) proves the guess, since only a complete object with
   nothing after it decodes. This saves the skipper's pass (about 2.5 us of 20 per entry on
   2 KB entries). When the guess cannot be made or proved, the entry's end is found by
   msgspec's C skipper (decoding the buffer from the entry's start as ``msgspec.Raw``: the
   "trailing characters (byte N)" error gives the end). Measured on 5 KB entries with escaped
   JSON bodies, this costs about 6 us per entry where a balanced-object regex costs 50 (sre
   pays per escape in a string). When the skipper cannot tell (the entry is cut by the end of
   the chunk, malformed, or too deep), the entry is framed by ONE compiled regex matching a
   balanced JSON object up to a fixed nesting depth (possessive quantifiers keep it linear),
   and failing that by an incremental scanner that jumps between structural bytes and resumes
   after more data is read.
2. *Decoding.* ``msgspec.json.decode`` of the entry's bytes (a zero-copy view) into the typed
   ``HarEntry`` below, which names only the fields Tracehound uses; the others are skipped in C.

A bad entry (invalid JSON, wrong type for an essential field, bad URL or base64, larger than
the cap) becomes a ``Rejection`` and reading goes on with the next one; a file that ends inside
an entry yields a ``Rejection`` for that entry and ends. A file that is not a HAR document at
all raises ``InputError`` when the source is opened.

Conversion rules (what a ``Transaction`` gets from an entry): the method is upper-cased; the
scheme, host and raw path and query come from ``request.url``, which is authoritative
(``queryString`` is only used when the URL has no query, because some exporters store it
percent-decoded); header names are lower-cased, order kept, HTTP/2 pseudo-headers
(``:authority``...) dropped since the URL carries them; bodies are UTF-8 text unless
``encoding`` is ``base64``, and form ``params`` are re-encoded when ``postData`` has no text;
``started`` comes from ``startedDateTime``, ``duration_ms`` from ``time`` (negative means
unknown); the client is ``_clientIPAddress``, else the first ``x-forwarded-for`` address; the
request id is the ``x-request-id`` header. Text that is not valid UTF-8 is repaired with U+FFFD
rather than losing the entry.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final
from urllib.parse import urlencode

import msgspec

from tracehound.errors import InputError
from tracehound.model import Headers, Transaction
from tracehound.sources._http import (
    duration,
    forwarded_client,
    header,
    parse_time,
    split_url,
)
from tracehound.sources._json import TOO_DEEP, decode_repairing_utf8
from tracehound.sources._reasons import text_for_reason, url_error_for_reason, url_for_reason
from tracehound.sources.base import (
    DEFAULT_MAX_ENTRY_BYTES,
    READ_ERRORS,
    Rejection,
    Source,
    describe_read_error,
)

DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_GUESS_HEAD = 64
"""Bytes from an entry's ``{`` to the end of its first key, at most, for the fast framing."""
MIN_GUESS_WINDOW = 64 * 1024
"""Bytes searched for the next entry's start: four times the last entry, and at least this."""
MAX_GUESS_MISSES = 32
"""Fast framings that may fail in a file before it is framed the careful way only."""
REGEX_DEPTH = 8
"""Object nesting the framing regex handles; HAR entries rarely go past 4 (Chrome's
``_initiator`` stacks can), and deeper ones take the slower incremental scanner."""

# -- the HAR entry as decoded ------------------------------------------------------------------

Scalar = str | int | float | None


class HarNameValue(msgspec.Struct, gc=False):
    name: str
    value: Scalar = None


class HarPostData(msgspec.Struct, gc=False, rename="camel"):
    mime_type: str | None = None
    text: str | None = None
    params: list[HarNameValue] | None = None
    encoding: str | None = None


class HarRequest(msgspec.Struct, gc=False, rename="camel"):
    method: str
    url: str
    headers: list[HarNameValue] | None = None
    query_string: list[HarNameValue] | None = None
    cookies: list[HarNameValue] | None = None
    post_data: HarPostData | None = None


class HarContent(msgspec.Struct, gc=False, rename="camel"):
    mime_type: str | None = None
    text: str | None = None
    encoding: str | None = None
    size: int | float | None = None


class HarResponse(msgspec.Struct, gc=False):
    status: int | float | str | None = None
    headers: list[HarNameValue] | None = None
    content: HarContent | None = None


class HarEntry(msgspec.Struct, gc=False, rename="camel"):
    """The fields of a HAR 1.2 entry Tracehound reads; ``null`` is accepted wherever optional.

    Everything else (``timings``, ``cache``, ``_initiator``...) is skipped by the decoder.
    """

    request: HarRequest
    response: HarResponse | None = None
    started_date_time: str | None = None
    time: float | str | None = None
    client_ip_address: str | None = msgspec.field(default=None, name="_clientIPAddress")
    server_ip_address: str | None = msgspec.field(default=None, name="serverIPAddress")


_DECODER: Final = msgspec.json.Decoder(HarEntry)
_SKIPPER: Final = msgspec.json.Decoder(msgspec.Raw)
_TRAILING: Final = re.compile(r"JSON is malformed: trailing characters \(byte (\d+)\)")

# -- framing -----------------------------------------------------------------------------------

_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'


def _object_regex(depth: int) -> re.Pattern[bytes]:
    """A regex matching one balanced JSON object nested at most ``depth`` levels inside."""
    level = rb'\{(?:[^"{}]++|' + _STRING + rb")*+\}"
    for _ in range(depth):
        level = rb'\{(?:[^"{}]++|' + _STRING + rb"|" + level + rb")*+\}"
    return re.compile(level, re.DOTALL)


_OBJECT = _object_regex(REGEX_DEPTH)
_STRUCTURAL = re.compile(rb'["{}\[\]]')
_STRING_BODY = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_WS_BYTES = b" \t\r\n"
_END_BYTES = b"} \t\r\n"
_SCALAR_END = re.compile(rb"[\s,\]}]")
_WS = re.compile(rb"[ \t\r\n]*+")
_WS_COMMA = re.compile(rb"[ \t\r\n,]*+")
_KEY = re.compile(_STRING + rb"[ \t\r\n]*+:", re.DOTALL)

_COMPLETE, _OVERSIZE, _TRUNCATED = 0, 1, 2


class _Reject(ValueError):
    """An entry that decoded but cannot be a transaction; the message is the reason."""


class HarSource(Source):
    """Transactions from a HAR 1.2 file (plain or gzip), streamed in bounded memory."""

    def __init__(
        self,
        path: Path,
        start_seq: int = 0,
        *,
        compressed: bool | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
    ) -> None:
        super().__init__(path, start_seq)
        if chunk_size < 1 or max_entry_bytes < 1:
            raise ValueError("chunk_size and max_entry_bytes must be positive")
        self.chunk_size = chunk_size
        self.max_entry_bytes = max_entry_bytes
        self._buf = b""
        self._pos = 0
        self._eof = False
        self._read_error: str | None = None
        self._guess_misses = 0
        self._guess_window = MIN_GUESS_WINDOW
        self._stream: BinaryIO = self._open(compressed)
        try:
            self._find_entries()
        except BaseException:
            self.close()
            raise

    # -- reading -----------------------------------------------------------------------------

    def _fill(self, keep_from: int) -> int:
        """Read one more chunk, dropping the bytes before ``keep_from``; returns the shift.

        Positions held by the caller move left by the returned amount. Sets ``_eof`` at the end
        of the file or on a read error (remembered in ``_read_error`` for the caller to report).
        """
        try:
            chunk = self._stream.read(self.chunk_size)
        except READ_ERRORS as e:
            chunk = b""
            self._read_error = describe_read_error(e)
        if not chunk:
            self._eof = True
        self._buf = self._buf[keep_from:] + chunk
        self._pos -= keep_from
        return keep_from

    def _skip_ws(self, pattern: re.Pattern[bytes] = _WS) -> int:
        """Skip whitespace from ``_pos``, reading as needed; the next byte, or -1 at EOF."""
        while True:
            end = pattern.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if end < len(self._buf):
                self._pos = end
                return self._buf[end]
            self._pos = end
            if self._eof:
                return -1
            self._fill(self._pos)

    # -- the prologue: find log.entries ------------------------------------------------------

    def _fail(self, what: str) -> InputError:
        if self._read_error is not None:
            what = self._read_error
        return InputError(f"{self.path}: not a HAR file: {what}")

    def _key(self) -> bytes:
        """Read ``"key" :`` at ``_pos`` and return the raw key bytes (quotes stripped)."""
        while True:
            m = _KEY.match(self._buf, self._pos)
            if m is not None:
                self._pos = m.end()
                return m.group()[1 : m.group().rindex(b'"')]
            if self._eof:
                raise self._fail("expected an object key")
            if len(self._buf) - self._pos > self.max_entry_bytes:
                raise self._fail("object key too long")
            self._fill(self._pos)

    def _members(self, where: str) -> Iterator[bytes]:
        """Yield the keys of the object whose ``{`` is at ``_pos``, leaving ``_pos`` at its value.

        The consumer must consume the value before asking for the next key.
        """
        self._pos += 1
        first = True
        while True:
            c = self._skip_ws()
            if c == 0x7D:  # }
                self._pos += 1
                return
            if not first:
                if c != 0x2C:  # ,
                    raise self._fail(f"expected ',' or '}}' in {where}")
                self._pos += 1
                c = self._skip_ws()
            if c != 0x22:  # "
                raise self._fail(f"expected an object key in {where}")
            first = False
            key = self._key()
            if self._skip_ws() < 0:
                raise self._fail(f"file ends inside {where}")
            yield key

    def _find_entries(self) -> None:
        self._fill(0)
        while len(self._buf) < 3 and not self._eof:  # a read chunk smaller than the BOM
            self._fill(0)
        if self._buf.startswith(b"\xef\xbb\xbf"):
            self._pos = 3
        c = self._skip_ws()
        if c != 0x7B:  # {
            raise self._fail("the file is empty" if c < 0 else "it does not start with a JSON object")
        for key in self._members("the top-level object"):
            if key != b"log":
                self._skip_prologue_value()
                continue
            if self._buf[self._pos] != 0x7B:
                raise self._fail("'log' is not an object")
            for log_key in self._members("'log'"):
                if log_key != b"entries":
                    self._skip_prologue_value()
                    continue
                if self._buf[self._pos] != 0x5B:  # [
                    raise self._fail("'log.entries' is not an array")
                self._pos += 1
                return
            raise self._fail("'log' has no 'entries'")
        raise self._fail("there is no 'log' object")

    def _skip_prologue_value(self) -> None:
        status, end = self._scan(self._pos, keep=False)
        if status != _COMPLETE:
            raise self._fail("file ends before 'log.entries'")
        self._pos = end

    # -- framing entries ---------------------------------------------------------------------

    def _scan(self, start: int, keep: bool) -> tuple[int, int]:
        """Find the end of the JSON value starting at ``_buf[start]``, reading as needed.

        With ``keep``, the buffer is first cut so the value starts at 0, and it is kept whole
        until it passes ``max_entry_bytes`` (then ``_OVERSIZE``, and the rest is skipped without
        being kept). Returns ``(status, end)``; ``end`` is an offset in the current buffer.
        """
        if keep:
            self._buf = self._buf[start:]
            self._pos = 0
            start = 0
        oversize = False
        p = start
        if self._buf[start] not in b'{["':
            p += 1  # a scalar, or a stray byte: always consume at least one
            while True:
                m = _SCALAR_END.search(self._buf, p)
                if m is not None:
                    return _COMPLETE, m.start()
                if self._eof:
                    return _COMPLETE, len(self._buf)
                p -= self._fill(p if not keep else 0)
        depth = 0
        in_string = False
        while True:
            buf = self._buf
            size = len(buf)
            while p < size:
                if in_string:
                    q = _STRING_BODY.match(buf, p).end()  # type: ignore[union-attr]
                    if q < size and buf[q] == 0x22:
                        p = q + 1
                        in_string = False
                        if depth == 0:
                            return (_OVERSIZE if oversize else _COMPLETE), p
                        continue
                    p = q  # at the end, or on a backslash that ends the buffer
                    break
                m = _STRUCTURAL.search(buf, p)
                if m is None:
                    p = size
                    break
                p = m.end()
                c = buf[p - 1]
                if c == 0x22:
                    in_string = True
                elif c in b"{[":
                    depth += 1
                else:
                    depth -= 1
                    if depth <= 0:
                        return (_OVERSIZE if oversize else _COMPLETE), p
            if self._eof:
                return _TRUNCATED, len(self._buf)
            if keep and len(self._buf) > self.max_entry_bytes:
                keep = False
                oversize = True
            p -= self._fill(0 if keep else p)

    def _frame(self, pos: int) -> int:
        """The end of the entry object at ``_buf[pos]`` if msgspec can skip it whole, else -1.

        msgspec's C skipper validates and skips an entry far faster than any regex (its error
        for the bytes after the value gives the end); -1 sends the caller to the regex and the
        resumable scanner: the entry is cut by the end of the buffer, malformed, or too deep.
        """
        view = memoryview(self._buf)[pos:]
        try:
            _SKIPPER.decode(view)
        except msgspec.DecodeError as e:
            m = _TRAILING.fullmatch(str(e))
            if m is None:
                return -1
            # msgspec reports the offset just past the first trailing byte; check that it is
            # not whitespace and follows the entry's "}" (so a changed convention falls back).
            end = pos + int(m.group(1)) - 1
            buf = self._buf
            if pos < end < len(buf) and buf[end] not in _WS_BYTES and buf[end - 1] in _END_BYTES:
                return end
            return -1
        except RecursionError:
            return -1
        finally:
            view.release()
        return len(self._buf)  # only whitespace follows the entry in the buffer

    def _decode_guessed(self, pos: int, index: int) -> Transaction | Rejection | None:
        """Frame the entry at ``_buf[pos]`` by where the next entry starts, and decode it; None if unsure.

        Entries of one file start alike (``{"startedDateTime":``, indentation included), and that
        text cannot occur inside a JSON string (its quotes would be escaped): the entry ends at the
        last ``}`` before the next occurrence. The guess is proved by the decode itself, since only
        a complete object with nothing after it decodes; anything else (a nested object that
        starts alike, a bad entry, the next entry not yet read) returns None and the careful path
        (``_frame``) frames and decodes the entry as before, so the outcome is the same.
        """
        buf = self._buf
        colon = buf.find(b":", pos, pos + MAX_GUESS_HEAD)
        if colon < 0:
            self._guess_misses += 1
            return None
        limit = pos + self._guess_window
        nxt = buf.find(buf[pos : colon + 1], colon, limit)
        if nxt < 0:
            if limit <= len(buf) or self._eof:
                self._guess_misses += 1  # not the end of the chunk: this file's entries start unalike
            return None
        end = buf.rfind(b"}", pos, nxt) + 1
        if end <= pos or end - pos > self.max_entry_bytes:
            return None
        view = memoryview(buf)[pos:end]
        try:
            entry = _DECODER.decode(view)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            self._guess_misses += 1
            return None
        finally:
            view.release()
        self._pos = end
        self._guess_window = max(MIN_GUESS_WINDOW, 4 * (end - pos))
        try:
            return har_entry_to_transaction(entry, self.start_seq + index, self.name)
        except _Reject as e:
            return self._reject(index, str(e))

    def _read(self) -> Iterator[Transaction | Rejection]:
        index = 0
        cap = self.max_entry_bytes
        decode = self._decode
        while True:
            c = self._skip_ws(_WS_COMMA)
            if c < 0:
                if self._read_error is not None:
                    yield self._reject(index, self._read_error)
                    index += 1
                break
            if c == 0x5D:  # ]
                break
            pos = self._pos
            end = -1
            if c == 0x7B and self._guess_misses < MAX_GUESS_MISSES:
                guessed = self._decode_guessed(pos, index)
                if guessed is not None:
                    yield guessed
                    index += 1
                    self.count = index
                    continue
            if c == 0x7B:
                end = self._frame(pos)
                if end < 0 and not self._eof and len(self._buf) - pos <= self.chunk_size:
                    # Most likely cut by the end of the chunk: read on and try again.
                    self._fill(pos)
                    pos = self._pos
                    end = self._frame(pos)
                if end < 0:
                    m = _OBJECT.match(self._buf, pos)
                    if m is not None:
                        end = m.end()
            if end >= 0:
                self._pos = end
                if end - pos > cap:
                    yield self._reject(index, f"entry larger than {cap} bytes")
                else:
                    yield decode(pos, end, index)
                index += 1
                self.count = index
                continue
            status, end = self._scan(pos, keep=c == 0x7B)
            self._pos = end
            if status == _TRUNCATED:
                yield self._reject(index, self._read_error or "file ends inside this entry (truncated)")
                index += 1
                break
            if status == _OVERSIZE:
                yield self._reject(index, f"entry larger than {cap} bytes")
            elif c != 0x7B:
                yield self._reject(index, "entry is not a JSON object")
            else:
                yield decode(0, end, index)
            index += 1
            self.count = index
        self.count = index

    # -- decoding ----------------------------------------------------------------------------

    def _decode(self, start: int, end: int, index: int) -> Transaction | Rejection:
        view = memoryview(self._buf)[start:end]
        try:
            # Invalid UTF-8 inside a string: keep the entry with U+FFFD in place of the bytes.
            entry = decode_repairing_utf8(_DECODER, view)
            return har_entry_to_transaction(entry, self.start_seq + index, self.name)
        except msgspec.ValidationError as e:
            return self._reject(index, f"invalid entry: {e}")
        except msgspec.DecodeError as e:
            return self._reject(index, f"invalid JSON: {e}")
        except RecursionError:  # decode_repairing_utf8 raises TooDeep instead; kept as a backstop
            return self._reject(index, f"invalid JSON: {TOO_DEEP}")
        except _Reject as e:
            return self._reject(index, str(e))
        finally:
            view.release()


# -- conversion --------------------------------------------------------------------------------


def _text(value: Scalar) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def _body(text: str | None, encoding: str | None, where: str) -> bytes:
    if not text:
        return b""
    if encoding is not None and encoding.lower() == "base64":
        try:
            return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            try:  # line-wrapped base64 is common; anything else is invalid
                compact = "".join(text.split()).encode("ascii")
                return binascii.a2b_base64(compact, strict_mode=True)
            except (binascii.Error, UnicodeEncodeError):
                raise _Reject(f"invalid base64 in {where}") from None
    return text.encode("utf-8", "surrogatepass")


def _status(value: int | float | str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        status = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.strip().isdigit() and value.isascii()
    ):
        status = int(value)
    else:
        raise _Reject(f"response.status is not an HTTP status: {text_for_reason(str(value), 40)!r}")
    if not 0 <= status <= 999:
        raise _Reject("response.status out of range (an HTTP status is 0-999)")
    return status


MAX_HEADER_NAMES = 4096
_LOWER_NAMES: dict[str, str] = {}


def _lower_name(name: str) -> str:
    # Header names recur in every entry: remembered, they are lower-cased once, and the string
    # every later stage looks up in its dictionaries keeps its hash.
    low = name.lower()
    if len(_LOWER_NAMES) >= MAX_HEADER_NAMES:
        _LOWER_NAMES.clear()
    _LOWER_NAMES[name] = low
    return low


def _headers(items: list[HarNameValue] | None) -> Headers:
    if not items:
        return ()
    names = _LOWER_NAMES
    return tuple(
        [
            (names.get(h.name) or _lower_name(h.name), v if type(v := h.value) is str else _text(v))
            for h in items
            if h.name[:1] != ":"
        ]
    )


def har_entry_to_transaction(entry: HarEntry, seq: int, source: str) -> Transaction:
    """The ``Transaction`` for a decoded entry (rules in the module docstring).

    Raises ``ValueError`` with the reason when the entry cannot be one.
    """
    request = entry.request
    method = request.method.strip().upper()
    if not method:
        raise _Reject("request.method is empty")
    headers = _headers(request.headers)
    url = request.url
    try:
        if url.startswith("/"):
            # Some converters write origin-form targets; the Host header names the service.
            host_header = header(headers, "host")
            if not host_header:
                raise ValueError("relative URL and no Host header")
            url = f"http://{host_header}{url}"
        scheme, host, path, query = split_url(url)
    except ValueError as e:
        shown = url_for_reason(url)
        if url is not request.url:
            shown += " (built from a relative request.url and the Host header)"
        raise _Reject(f"invalid request.url {shown}: {url_error_for_reason(e)}") from None
    if not query and request.query_string:
        query = urlencode([(q.name, _text(q.value)) for q in request.query_string])
    if request.cookies and header(headers, "cookie") is None:
        cookie = "; ".join(f"{c.name}={_text(c.value)}" for c in request.cookies)
        headers = (*headers, ("cookie", cookie))

    body = b""
    post = request.post_data
    if post is not None:
        body = _body(post.text, post.encoding, "request.postData.text")
        if not body and post.params:
            body = urlencode([(p.name, _text(p.value)) for p in post.params]).encode()

    status = 0
    response_headers: Headers = ()
    response_body = b""
    response = entry.response
    if response is not None:
        status = _status(response.status)
        response_headers = _headers(response.headers)
        content = response.content
        if content is not None:
            response_body = _body(content.text, content.encoding, "response.content.text")

    client = entry.client_ip_address or forwarded_client(headers)
    return Transaction(
        seq=seq,
        source=source,
        method=method,
        scheme=scheme,
        host=host,
        path=path,
        query=query,
        request_headers=headers,
        request_body=body,
        status=status,
        response_headers=response_headers,
        response_body=response_body,
        started=parse_time(entry.started_date_time),
        duration_ms=duration(entry.time),
        client=client,
        request_id=header(headers, "x-request-id"),
    )
