"""Byte-level helpers of the normalize stage: content-encodings, charsets, content types, multipart.

They are kept apart from ``normalize.py`` because each one is a small parser of hostile input
with its own failure modes: a compression bomb, a charset name that is not a text codec, a
multipart body without its closing boundary. None of them raises on bad input; each returns what
it could decode plus a short reason when it stopped early, which the caller records in
``Body.error``. Loops run per chunk or per part, never per byte, because this is the hot path.
"""

from __future__ import annotations

import codecs
import re
import zlib
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

import brotli

# --- content types --------------------------------------------------------------------------

_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_CACHEABLE_CTYPE = 256
"""Content types up to this length are memoised; longer ones are hostile or rare."""


def _parse_content_type(ctype: str) -> tuple[str, str | None, str | None]:
    media, sep, _ = ctype.partition(";")
    media = media.strip().lower()
    charset: str | None = None
    boundary: str | None = None
    if sep:
        for name, value in _PARAM.findall(ctype):
            value = value.strip()
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1].replace('\\"', '"')
            name = name.lower()
            if name == "charset" and charset is None:
                charset = value.strip().lower()
            elif name == "boundary" and boundary is None:
                boundary = value
    return media, charset, boundary


_parse_content_type_cached = lru_cache(maxsize=1024)(_parse_content_type)


def parse_content_type(ctype: str) -> tuple[str, str | None, str | None]:
    """``(bare lower-case media type, charset or None, boundary or None)``; tolerant of junk."""
    if len(ctype) <= _CACHEABLE_CTYPE:
        return _parse_content_type_cached(ctype)
    return _parse_content_type(ctype)


# --- content-encodings ----------------------------------------------------------------------

_GZIP_WBITS = 32 + zlib.MAX_WBITS
"""Auto-detects a gzip or zlib header: servers label either as ``gzip`` in the wild."""
_MAX_ROUNDS = 1 << 16
"""Guard on decompressor loops; each round yields output or ends, this only stops a stuck codec."""


class DecodeFailed(Exception):
    """A content-encoding could not be decoded at all (raised and caught inside this module)."""


def _inflate(data: bytes, wbits: int, cap: int) -> tuple[bytes, str | None]:
    """zlib-family decoding that stops at ``cap`` output bytes; concatenated gzip members are joined."""
    chunks: list[bytes] = []
    total = 0
    d = zlib.decompressobj(wbits)
    buf = data
    try:
        for _ in range(_MAX_ROUNDS):
            out = d.decompress(buf, cap - total + 1)
            chunks.append(out)
            total += len(out)
            if total > cap:
                return b"".join(chunks)[:cap], f"{_CAPPED} {cap} bytes; stopped there"
            if d.eof:
                rest = d.unused_data
                if rest[:2] == b"\x1f\x8b":
                    d = zlib.decompressobj(wbits)
                    buf = rest
                    continue
                break
            tail = d.unconsumed_tail
            if not out and not tail:
                if total == 0:
                    raise DecodeFailed("stream ends before any output")
                return b"".join(chunks), "compressed stream truncated"
            buf = tail
    except zlib.error as exc:
        if total == 0:
            raise DecodeFailed(str(exc)) from None
        return b"".join(chunks), f"corrupt compressed stream after {total} bytes"
    return b"".join(chunks), None


def _unbrotli(data: bytes, cap: int) -> tuple[bytes, str | None]:
    """Brotli decoding that stops at ``cap`` output bytes (needs brotli>=1.2 for the output limit)."""
    d = brotli.Decompressor()
    chunks: list[bytes] = []
    total = 0
    try:
        out = d.process(data, output_buffer_limit=cap + 1)
        for _ in range(_MAX_ROUNDS):
            chunks.append(out)
            total += len(out)
            if total > cap:
                return b"".join(chunks)[:cap], f"{_CAPPED} {cap} bytes; stopped there"
            if d.is_finished():
                break
            if d.can_accept_more_data():
                if total == 0:
                    raise DecodeFailed("stream ends before any output")
                return b"".join(chunks), "compressed stream truncated"
            out = d.process(b"", output_buffer_limit=cap - total + 1)
            if not out and not d.is_finished():
                break
    except brotli.error as exc:
        if total == 0:
            raise DecodeFailed(str(exc) or "invalid brotli data") from None
        return b"".join(chunks), f"corrupt compressed stream after {total} bytes"
    return b"".join(chunks), None


def _decode_one(coding: str, data: bytes, cap: int) -> tuple[bytes, str | None]:
    if coding in ("gzip", "x-gzip"):
        return _inflate(data, _GZIP_WBITS, cap)
    if coding == "deflate":
        # RFC 9110 deflate is zlib-wrapped, but many servers send raw deflate.
        try:
            return _inflate(data, zlib.MAX_WBITS, cap)
        except DecodeFailed:
            return _inflate(data, -zlib.MAX_WBITS, cap)
    if coding == "br":
        return _unbrotli(data, cap)
    raise LookupError(coding)


_CAPPED = "decompressed size over"


class Decoded(NamedTuple):
    """What `decode_content` made of a body."""

    data: bytes
    error: str | None
    ok: bool
    """False when the encoding is unknown or has too many layers: the caller keeps the raw bytes as binary."""
    capped: bool
    """The output stopped at the cap."""
    already_decoded: bool
    """The bytes were not encoded at all (a browser's HAR export) and were taken as they are."""


def is_plain_text(data: bytes) -> bool:
    """True for bytes no compressor emits: UTF-8 text without the control bytes of binary data.

    A compressed stream is high-entropy binary: its first non-ASCII byte breaks UTF-8 with near
    certainty (gzip's second magic byte already does), so this usually stops within a few bytes.
    A body cut at a cap may end inside a character; that last character is forgiven.
    """
    if not data or looks_binary(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    return True


def decode_content(data: bytes, encoding: str, cap: int, max_layers: int) -> Decoded:
    """Undo a ``Content-Encoding`` list, each layer capped at ``cap`` output bytes.

    Browsers export bodies already decoded but keep the header (the HAR convention): bytes that
    are plain text (`is_plain_text`) and do not decode as the outermost coding says are taken as
    they are, without an error, and flagged ``already_decoded``. The decoder is always tried
    first, so a stream that really is compressed (even one made of printable bytes) is decoded,
    with the cap; the plain bytes win only when decoding fails, or yields nothing or non-text
    where the input was text (raw deflate reads ``{"a": 1}`` as a fixed-Huffman block of noise).
    A first layer that is not what it says and is not text either (an image) is taken as
    identity with the error noted, so the body is still recognised.
    """
    codings = [c for c in (p.strip().lower() for p in encoding.split(",")) if c and c != "identity"]
    if not codings:
        return Decoded(data, None, True, False, False)
    if len(codings) > max_layers:
        return Decoded(data, f"more than {max_layers} content-encodings; body kept as raw bytes", False, False, False)
    raw = data
    errors: list[str] = []
    capped = False
    for i, coding in enumerate(reversed(codings)):
        try:
            out, err = _decode_one(coding, data, cap)
        except LookupError:
            if i == 0 and is_plain_text(raw):
                return Decoded(raw, None, True, False, True)
            unsupported = f"unsupported content-encoding {coding[:40]!r}; body kept as raw bytes"
            return Decoded(data, unsupported, False, False, False)
        except DecodeFailed as exc:
            if i == 0:
                if is_plain_text(raw):
                    return Decoded(raw, None, True, False, True)
                errors.append(f"content-encoding {coding} but body is not {coding} ({exc}); taken as identity")
                continue
            errors.append(f"cannot decode content-encoding {coding} ({exc})")
            return Decoded(data, "; ".join(errors), False, capped, False)
        layer_capped = err is not None and err.startswith(_CAPPED)
        if i == 0 and not layer_capped and is_plain_text(raw) and (err or not is_plain_text(out)):
            return Decoded(raw, None, True, False, True)
        data = out
        if err:
            errors.append(f"{coding}: {err}")
            capped = capped or layer_capped
    return Decoded(data, "; ".join(errors) or None, True, capped, False)


# --- charsets -------------------------------------------------------------------------------

_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})
_WIDE = ("utf-16", "utf-32")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@lru_cache(maxsize=256)
def _lookup_codec(name: str) -> str | None:
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    canonical = info.name.replace("_", "-")
    if not info._is_text_encoding or canonical in _NOT_CHARSETS:
        return None
    return info.name


def codec_for(charset: str) -> str | None:
    """The Python codec for a ``charset=`` value, or None when it names no text encoding."""
    if not charset or len(charset) > 40:
        return None
    return _lookup_codec(charset)


def is_wide(codec: str) -> bool:
    """True for UTF-16/32, whose text is full of NUL bytes and must be decoded before sniffing."""
    return codec.startswith(_WIDE) or codec.startswith(("utf_16", "utf_32"))


def bom_codec(data: bytes) -> str | None:
    """The codec a byte-order mark announces, if the data starts with one."""
    if data[:1] in (b"\xef", b"\xff", b"\xfe", b"\x00"):
        for bom, codec in _BOMS:
            if data.startswith(bom):
                return codec
    return None


def _no_lone_surrogates(text: str) -> str:
    """UTF-7 is the one text codec that decodes to lone surrogates (``+308-``), which no later
    stage can encode (re2 raises): pairs are joined and lone ones become U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def decode_text(data: bytes, charset: str | None, fallback_latin1: bool) -> tuple[str, str | None]:
    """Bytes to text: declared charset, else a BOM, else UTF-8; never raises.

    Without a declared charset, bytes that are not UTF-8 are read as latin-1 when
    ``fallback_latin1`` (text/* bodies, where legacy encodings are common) and otherwise decoded
    as UTF-8 with replacement characters. Either way the error says so.
    """
    err: str | None = None
    codec: str | None = None
    if charset:
        codec = codec_for(charset)
        if codec is None:
            err = f"unknown charset {charset[:40]!r}; decoded as utf-8"
    if codec is None:
        codec = bom_codec(data)
    if codec is not None:
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        text: str | None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = data.decode(codec, "replace")
            err = f"invalid {codec} bytes replaced"
        except (UnicodeError, LookupError, ValueError, TypeError):
            text = None
            err = f"charset {codec!r} cannot decode this body; decoded as utf-8"
        if text is not None:
            return (_no_lone_surrogates(text) if codec == "utf-7" else text), err
    try:
        return data.decode("utf-8"), err
    except UnicodeDecodeError:
        if fallback_latin1 and err is None:
            return data.decode("latin-1"), "not valid utf-8; decoded as latin-1"
        return data.decode("utf-8", "replace"), err or "invalid utf-8 bytes replaced"


_CONTROL = bytes([*range(0, 8), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
"""Bytes that text almost never holds; tab, newlines, form feed, backspace and ESC are allowed."""
_SNIFF_BYTES = 4096
_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"RIFF",
    b"\x00asm",
    b"wOF",
    b"OggS",
    b"ID3",
    b"fLaC",
)


def looks_binary(data: bytes) -> bool:
    """True for known binary signatures, a NUL byte, or more than 1/16 control bytes in the head."""
    head = data[:_SNIFF_BYTES]
    if head.startswith(_MAGIC) or b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls * 16 > len(head)


# --- urlencoded pairs -----------------------------------------------------------------------


def parse_pairs(text: str, limit: int, encoding: str = "utf-8") -> tuple[list[tuple[str, str]], bool]:
    """``a=1&b=&c`` → ``[("a","1"), ("b",""), ("c","")]``: plus as space, percent-decoded.

    Keeps order and blank values like ``parse_qsl(keep_blank_values=True)``, at about half its
    cost, and stops after ``limit`` pairs (the bool says so) instead of raising.
    """
    out: list[tuple[str, str]] = []
    if not text:
        return out, False
    pieces = text.split("&", limit)
    over = len(pieces) > limit
    if over:
        pieces.pop()
    plus = "+" in text
    pct = "%" in text
    for piece in pieces:
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if plus:
            name = name.replace("+", " ")
            value = value.replace("+", " ")
        if pct:
            name = unquote(name, encoding, "replace")
            value = unquote(value, encoding, "replace")
            if encoding == "utf-7":
                name, value = _no_lone_surrogates(name), _no_lone_surrogates(value)
        out.append((name, value))
    return out, over


# --- multipart ------------------------------------------------------------------------------

_DISPOSITION_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_MAX_FILENAME = 256


def _disposition(value: str) -> tuple[str, str | None]:
    """``(name, filename or None)`` from a Content-Disposition value."""
    name = ""
    filename: str | None = None
    for key, raw in _DISPOSITION_PARAM.findall(value):
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"')
        key = key.lower()
        if key == "name":
            name = raw
        elif key == "filename" and filename is None:
            filename = raw
        elif key == "filename*":
            # RFC 5987: charset'lang'percent-encoded
            _, _, encoded = raw.rpartition("'")
            filename = unquote(encoded, "utf-8", "replace")
    return name, filename


def sniff_boundary(data: bytes) -> str | None:
    """The boundary from a body's first delimiter line, for multipart without a boundary param."""
    if not data.startswith(b"--"):
        return None
    line = data[2 : data.find(b"\n", 0, 200)].rstrip()
    if not line or b"\n" in line or len(line) > 70:
        return None
    return line.decode("latin-1")


def parse_multipart(data: bytes, boundary: str, limit: int, truncated: bool) -> tuple[dict[str, list[str]], str | None]:
    """Fields of a multipart body: text values decoded, file parts as ``<file name, N bytes>``.

    Splitting on the delimiter is done by ``bytes.split`` (C speed); each part's headers are read
    by hand because the stdlib email parser costs ~50 µs a part and tolerates less. A part is a
    file when it has a filename, a non-text content type, or a NUL byte: raw binary never
    reaches the detectors.
    """
    fields: dict[str, list[str]] = {}
    errors: list[str] = []
    delim = b"--" + boundary.encode("latin-1", "replace")
    parts = data.split(delim, limit + 1)
    closed = False
    count = 0
    for part in parts[1:]:
        if part.startswith(b"--"):
            closed = True
            break
        if count >= limit:
            errors.append(f"more than {limit} multipart fields; rest dropped")
            closed = True
            break
        count += 1
        nl = part.find(b"\n")
        if nl < 0:
            continue
        part = part[nl + 1 :]
        end = part.find(b"\r\n\r\n")
        sep = 4
        if end < 0:
            end = part.find(b"\n\n")
            sep = 2
        if end < 0:
            head, content = part, b""
        else:
            head, content = part[:end], part[end + sep :]
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        name = ""
        filename: str | None = None
        ptype = ""
        pcharset: str | None = None
        for line in head.decode("utf-8", "replace").splitlines():
            hname, _, hvalue = line.partition(":")
            hname = hname.strip().lower()
            if hname == "content-disposition":
                name, filename = _disposition(hvalue)
            elif hname == "content-type":
                ptype, pcharset, _ = parse_content_type(hvalue.strip())
        textual = not ptype or ptype.startswith("text/") or ptype.endswith(("json", "xml", "urlencoded"))
        if filename is not None or not textual or b"\x00" in content:
            shown = (filename or "")[:_MAX_FILENAME]
            value = f"<file {shown}, {len(content)} bytes>"
        else:
            value, err = decode_text(content, pcharset, fallback_latin1=False)
            if err and len(errors) < 3:
                errors.append(f"field {name[:40]!r}: {err}")
        fields.setdefault(name, []).append(value)
    if not closed and not truncated:
        errors.append("multipart body without closing boundary")
    return fields, "; ".join(errors) or None
