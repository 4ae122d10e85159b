"""The normalize stage: a raw ``Transaction`` becomes a decoded ``Exchange`` every later stage reads.

Every other stage (discover, profile, classify, detect) wants the same things: path segments
percent-decoded, query and cookie pairs, headers by name, and bodies decompressed, charset-decoded
and parsed into JSON values, form fields or text. Doing that once here keeps those stages simple
and makes one place responsible for hostile input: ``normalize`` never raises. What it could not
decode is recorded in ``Body.error`` and the body is still counted; bodies are capped
(``Limits``) before parsing, compressed bodies are decoded with an output cap, JSON nesting is
capped, and binary bodies are recognised (value ``None``) so they are never scanned as text.

Decisions worth knowing:

- Path segments are split on ``/`` *before* percent-decoding, so ``%2F`` stays inside its
  segment; empty segments (``//``, trailing ``/``) are dropped; bad escapes are kept as written
  and invalid UTF-8 becomes U+FFFD.
- Query and form pairs keep order and blank values; ``+`` is a space; only ``&`` separates.
- Repeated headers are joined with ``", "``, except ``set-cookie`` (joined with ``"\\n"``: its
  ``Expires`` dates contain commas, RFC 6265 §3) and ``cookie`` (joined with ``"; "``, as HTTP/2
  cookie crumbs are, RFC 9113 §8.2.3).
- A cookie without ``=`` has an empty name and the whole crumb as value (RFC 6265bis §5.6).
- A body declared as JSON that does not parse is kept as TEXT (with the reason in ``error``) so
  detectors still scan it. So is a JSON body nested deeper than ``max_json_depth`` (error
  ``nesting deeper than N``): as a value it would cost every later walk, but as nothing at all it
  would hide what it holds (``[[[...["' UNION SELECT ..."]...]]]`` 70 deep went unseen). A JSON body
  truncated by ``max_body_bytes`` is kind JSON with value ``None``.
- A body whose ``Content-Encoding`` says compressed but whose bytes are plain text that does not
  decode (browsers export HAR bodies decoded and keep the header) is taken as it is, without an
  error, and flagged ``Body.already_decoded`` (counted as ``run.bodies_already_decoded``).
- ``request_id`` falls back to the ``x-request-id`` header when the source gave none.
"""

from __future__ import annotations

import re
from itertools import chain, compress
from typing import Any
from urllib.parse import unquote

import msgspec

from tracehound.model.redaction import KEY_NAMES, key_name
from tracehound.model.transaction import Body, BodyKind, Exchange, Headers, Transaction
from tracehound.pipeline._decode import (
    bom_codec,
    codec_for,
    decode_content,
    decode_text,
    is_wide,
    looks_binary,
    parse_content_type,
    parse_multipart,
    parse_pairs,
    sniff_boundary,
)

__all__ = ["DEFAULT_LIMITS", "Limits", "normalize"]


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """Caps that bound the work and memory one transaction can cost, whatever its content."""

    max_body_bytes: int = 1 << 20
    """1 MiB. Decoded bodies longer than this are truncated to it; a truncated JSON body is not parsed."""
    max_decompressed_bytes: int = 8 << 20
    """8 MiB. Decompression stops here (compression-bomb guard); the body is then marked truncated."""
    max_json_depth: int = 64
    """JSON nested deeper than this is recorded as an error with value None."""
    max_form_fields: int = 1000
    """Cap on fields kept from one form or multipart body, and on query parameters and cookies."""
    max_header_bytes: int = 64 << 10
    """64 KiB. Only this much of a header value is parsed (cookie, content-type, content-encoding)."""
    max_encoding_layers: int = 3
    """More stacked content-encodings than this are not decoded (the body is kept as binary)."""


DEFAULT_LIMITS = Limits()

_HEADER_JOIN = {"set-cookie": "\n", "cookie": "; "}
_GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "text/plain", "application/unknown", "unknown/unknown", "*/*"}
)
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "model/", "application/grpc")
_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-7z-compressed",
        "application/protobuf",
        "application/x-protobuf",
        "application/vnd.google.protobuf",
        "application/msgpack",
        "application/x-msgpack",
        "application/cbor",
        "application/wasm",
        "application/java-archive",
    }
)
_WHITESPACE = b" \t\r\n"
_IS_CONTAINER = frozenset({dict, list}).__contains__
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")


def normalize(tx: Transaction, limits: Limits = DEFAULT_LIMITS) -> Exchange:
    """Decode a transaction into an ``Exchange``; never raises on any input."""
    path = tx.path
    if "%" in path:
        segments = tuple([unquote(s, "utf-8", "replace") for s in path.split("/") if s])
    else:
        segments = tuple(filter(None, path.split("/")))
    query, _ = parse_pairs(tx.query, limits.max_form_fields)
    if query:
        names = KEY_NAMES  # a name that is data (``?jane@example.com``) is never kept as a name
        query = [(names.get(n) or key_name(n), v) for n, v in query]
    headers = _header_dict(tx.request_headers)
    response_headers = _header_dict(tx.response_headers)
    cookie = headers.get("cookie")
    cookies = _parse_cookies(cookie[: limits.max_header_bytes], limits.max_form_fields) if cookie else ()
    request_id = tx.request_id if tx.request_id is not None else headers.get("x-request-id")
    return Exchange(
        seq=tx.seq,
        service=tx.host,
        method=tx.method,
        segments=segments,
        raw_path=path,
        query=tuple(query),
        headers=headers,
        cookies=cookies,
        request_body=decode_body(tx.request_body, headers, limits),
        status=tx.status,
        response_headers=response_headers,
        response_body=decode_body(tx.response_body, response_headers, limits),
        started=tx.started,
        duration_ms=tx.duration_ms,
        client=tx.client,
        request_id=request_id,
        scheme=tx.scheme,
        raw_query=tx.query,
    )


def _header_dict(pairs: Headers) -> dict[str, str]:
    # Usual case, in C: names already lower-case and none repeated (HAR sources lower-case them).
    # ``lower()`` maps characters one by one (a Σ would change too), so an unchanged join means
    # every name is unchanged.
    fast = dict(pairs)
    if len(fast) == len(pairs):
        names = "\n".join(fast)
        if names == names.lower():
            return fast
    out: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        prev = out.get(name)
        out[name] = value if prev is None else prev + _HEADER_JOIN.get(name, ", ") + value
    return out


def _parse_cookies(header: str, limit: int) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for crumb in header.split(";", limit):
        crumb = crumb.strip()
        if not crumb:
            continue
        if len(out) >= limit:
            break
        name, eq, value = crumb.partition("=")
        if eq:
            out.append((name.strip(), value.strip()))
        else:
            out.append(("", crumb))
    return tuple(out)


def decode_body(raw: bytes, headers: dict[str, str], limits: Limits = DEFAULT_LIMITS) -> Body:
    """Decode, cap and recognise one body given its message's headers; never raises.

    A last-resort guard turns an unexpected exception into ``error="internal error: ..."`` so one
    odd body cannot stop a run; the property tests check that this guard is never reached.
    """
    try:
        if not raw:
            media = parse_content_type(headers.get("content-type", "")[: limits.max_header_bytes])[0]
            return Body(kind=BodyKind.EMPTY, media_type=media)
        return _decode_body(raw, headers, limits)
    except Exception as exc:  # containment: a bug here must not take the pipeline down
        return Body(kind=BodyKind.BINARY, size=len(raw), error=f"internal error: {type(exc).__name__}")


def _decode_body(raw: bytes, headers: dict[str, str], limits: Limits) -> Body:
    cap = limits.max_header_bytes
    media, charset, boundary = parse_content_type(headers.get("content-type", "")[:cap])
    errors: list[str] = []
    data = raw
    encoding = headers.get("content-encoding")
    truncated = False
    already_decoded = False
    if encoding and raw:
        data, err, ok, truncated, already_decoded = decode_content(
            raw[: limits.max_decompressed_bytes],
            encoding[:cap],
            limits.max_decompressed_bytes,
            limits.max_encoding_layers,
        )
        if err:
            errors.append(err)
        if not ok:
            return Body(kind=BodyKind.BINARY, media_type=media, size=len(data), error="; ".join(errors))
    size = len(data)
    if size == 0:
        return Body(kind=BodyKind.EMPTY, media_type=media, error="; ".join(errors) or None)
    if size > limits.max_body_bytes:
        data = data[: limits.max_body_bytes]
        truncated = True
        errors.append(f"body of {size} bytes over max_body_bytes {limits.max_body_bytes}; kept the head")
    kind, value, err = _recognise(data, media, charset, boundary, truncated, limits)
    if err:
        errors.append(err)
    return Body(
        kind=kind,
        value=value,
        media_type=media,
        size=size,
        truncated=truncated,
        error="; ".join(errors) or None,
        already_decoded=already_decoded,
    )


_Parsed = tuple[BodyKind, Any, str | None]


def _recognise(
    data: bytes, media: str, charset: str | None, boundary: str | None, truncated: bool, limits: Limits
) -> _Parsed:
    if media.endswith(("/json", "+json")):
        if truncated:
            return BodyKind.JSON, None, "JSON not parsed (truncated)"
        return _json_or_text(data, charset, limits, declared=True)
    if media.endswith(("/xml", "+xml")):
        return _xml(data, charset)
    if media == "application/x-www-form-urlencoded":
        return _form(data, charset, limits)
    if media.startswith("multipart/"):
        b = boundary or sniff_boundary(data)
        if b:
            fields, err = parse_multipart(data, b, limits.max_form_fields, truncated)
            return BodyKind.MULTIPART, fields, err
        kind, value, err = _sniff(data, charset, truncated, limits, _BINARY)
        return kind, value, "multipart body without boundary" + (f"; {err}" if err else "")
    if media.startswith(_BINARY_PREFIXES) or media in _BINARY_TYPES:
        return BodyKind.BINARY, None, None
    fallback = _LATIN1 if media.startswith("text/") else _BINARY
    if media in _GENERIC_TYPES:
        return _sniff(data, charset, truncated, limits, fallback)
    return _text(data, charset, fallback)


def _sniff(data: bytes, charset: str | None, truncated: bool, limits: Limits, fallback: str) -> _Parsed:
    """Recognise a body whose type is missing or generic: JSON, XML, text or binary, by content."""
    codec = codec_for(charset) if charset else bom_codec(data)
    if codec is not None and is_wide(codec):
        text, _ = decode_text(data, charset, fallback_latin1=False)
        head = text[:64].lstrip().encode("utf-8", "replace")
    else:
        head = data[:64].lstrip(_WHITESPACE)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:].lstrip(_WHITESPACE)
    first = head[:1]
    if first in (b"{", b"[") and not truncated:
        kind, value, err = _json_or_text(data, charset, limits, declared=False)
        if kind is BodyKind.JSON or err is not None:  # JSON, or JSON kept as text (too deep)
            return kind, value, err
    elif first == b"<" and _looks_like_markup(head, data):
        return _xml(data, charset)
    return _text(data, charset, fallback)


def _looks_like_markup(head: bytes, data: bytes) -> bool:
    if head.startswith(b"<?xml"):
        return True
    low = head[:15].lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return False
    second = head[1:2]
    return (second.isalpha() or second in (b"!", b"_")) and data.rstrip(_WHITESPACE).endswith(b">")


_LATIN1 = "latin1"
_REPLACE = "replace"
_BINARY = "binary"


def _text(data: bytes, charset: str | None, fallback: str) -> _Parsed:
    """TEXT unless the bytes look binary; UTF-16/32 are decoded first since they hold NULs.

    ``fallback`` says what undeclared bytes that are not UTF-8 are: latin-1 prose for text/*,
    replaced UTF-8 for bodies declared textual (JSON), binary for everything else.
    """
    codec = codec_for(charset) if charset else bom_codec(data)
    if codec is not None and is_wide(codec):
        text, err = decode_text(data, charset, fallback_latin1=False)
        if looks_binary(text[:4096].encode("utf-8", "replace")):
            return BodyKind.BINARY, None, None
        return BodyKind.TEXT, text, err
    if looks_binary(data):
        return BodyKind.BINARY, None, None
    if charset is None and codec is None and fallback == _BINARY:
        # Undeclared or application/* bytes that are not UTF-8 are binary, not latin-1 prose.
        try:
            return BodyKind.TEXT, data.decode("utf-8"), None
        except UnicodeDecodeError:
            return BodyKind.BINARY, None, None
    text, err = decode_text(data, charset, fallback_latin1=fallback == _LATIN1)
    return BodyKind.TEXT, text, err


def _xml(data: bytes, charset: str | None) -> _Parsed:
    """XML is kept as text, never parsed: an entity-expanding parser is what XXE attacks, and
    the detectors need to see the DOCTYPE as written."""
    if charset is None and bom_codec(data) is None and data.startswith(b"<?xml"):
        match = _XML_ENCODING.search(data, 0, 200)
        if match:
            charset = match.group(1).decode("latin-1").lower()
    codec = codec_for(charset) if charset else bom_codec(data)
    if (codec is None or not is_wide(codec)) and b"\x00" in data[:4096]:
        return BodyKind.BINARY, None, "XML body holds NUL bytes; treated as binary"
    text, err = decode_text(data, charset, fallback_latin1=False)
    return BodyKind.XML, text, err


def _form(data: bytes, charset: str | None, limits: Limits) -> _Parsed:
    text, err = decode_text(data, charset, fallback_latin1=False)
    codec = (codec_for(charset) if charset else None) or "utf-8"
    pairs, over = parse_pairs(text, limits.max_form_fields, codec)
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    if over:
        note = f"more than {limits.max_form_fields} form fields; rest dropped"
        err = f"{err}; {note}" if err else note
    return BodyKind.FORM, fields, err


def _json_or_text(data: bytes, charset: str | None, limits: Limits, declared: bool) -> _Parsed:
    """Parse JSON; unparseable JSON becomes TEXT (with the reason) so its content is still seen."""
    src: bytes | str = data
    err: str | None = None
    codec = codec_for(charset) if charset else bom_codec(data)
    if codec is not None and codec not in ("utf-8", "ascii"):
        src, err = decode_text(data, charset, fallback_latin1=False)
        if src.startswith("\ufeff"):
            src = src[1:]
    elif data.startswith(b"\xef\xbb\xbf"):
        src = data[3:]
    depth = limits.max_json_depth
    try:
        value = msgspec.json.decode(src)
    except RecursionError:  # msgspec's C recursion guard, far past any sane ``max_json_depth``
        return _too_deep(data, charset, depth)
    except (msgspec.DecodeError, ValueError) as exc:
        if not declared:
            return BodyKind.TEXT, None, None
        kind, text, text_err = _text(data, charset, _REPLACE)
        reason = f"invalid JSON: {str(exc)[:120]}"
        return kind, text, f"{reason}; {text_err}" if text_err else reason
    # Brackets bound the depth from above (those in strings only over-count): the walk is rare.
    opens = src.count("[") + src.count("{") if isinstance(src, str) else src.count(b"[") + src.count(b"{")
    if opens > depth and _deeper_than(value, depth):
        return _too_deep(data, charset, depth)
    return BodyKind.JSON, value, err


def _too_deep(data: bytes, charset: str | None, depth: int) -> _Parsed:
    """JSON nested past the cap, kept as text: not walked as a value, still scanned for what it holds."""
    kind, text, text_err = _text(data, charset, _REPLACE)
    reason = f"nesting deeper than {depth}"
    return kind, text, f"{reason}; {text_err}" if text_err else reason


def _deeper_than(value: Any, limit: int) -> bool:
    """Level by level, so the walk is iterative and stops at ``limit`` levels.

    Per-value work is done by ``chain``/``compress``/``map`` in C (about twice as fast as a
    comprehension with ``isinstance``); msgspec yields exact ``dict``/``list`` so ``type`` suffices.
    """
    level: list[Any] = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        items = list(chain.from_iterable([n.values() if type(n) is dict else n for n in level]))
        level = list(compress(items, map(_IS_CONTAINER, map(type, items))))
    return False
