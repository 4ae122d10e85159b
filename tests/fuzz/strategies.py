"""Structure-aware generators: mostly-valid HAR, NDJSON, OpenAPI and config documents, mutated.

Random bytes alone rarely get past a parser's first check; these generators build documents of
the right shape (a HAR ``log.entries`` array of entries with requests, responses, headers and
bodies; NDJSON records; OpenAPI paths, servers and parameters; config trees) from parts that are
each sometimes valid and sometimes hostile (wrong types, bad URLs, odd Unicode, lone surrogates,
non-UTF-8 bytes, huge numbers), then serialise them in varied ways (indentation, ``ensure_ascii``,
BOM, gzip) and sometimes mutate the bytes (flips, cuts, splices). A generator that knows it built a
valid entry says so, so a test can check that entry became a transaction.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import brotli
from hypothesis import strategies as st

# -- text ----------------------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "\x1b[8m",
    "\ud800",
    "\udcff",
    "\ufeff",
    "\u202e",
    "\uffff",
    "\U0001f600",
    "%",
    "%zz",
    "%ff%fe",
    "%00",
    "%2F",
    "..",
    "[",
    "[/oops]",
    "{}",
    '{"startedDateTime":',
    "\\",
    '"',
    "\r\n",
    "a" * 300,
    "9" * 30,
    "1e999",
    "-0",
    "NaN",
    "Σ",
    "İ",
    "ß",
]

any_chars = st.characters(codec=None, exclude_categories=())
"""Every code point, lone surrogates included (JSON can escape them; UTF-8 cannot encode them)."""

texts = st.one_of(
    st.text(max_size=24),
    st.text(any_chars, max_size=12),
    st.sampled_from(NASTY_STRINGS),
)
keys = st.one_of(st.text(max_size=10), st.sampled_from(NASTY_STRINGS))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)


@lru_cache
def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values of bounded size (depth stays small: deep nesting has its own tests)."""
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def nested(depth: int, leaf: Any = 0) -> Any:
    """A JSON value nested ``depth`` levels deep, alternating arrays and objects."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def nested_bytes(depth: int, leaf: bytes = b"0") -> bytes:
    """``nested(depth)`` as JSON text, built without recursion (``json.dumps`` stops near 1,000)."""
    opens = b"".join(b"[" if level % 2 else b'{"k":' for level in reversed(range(depth)))
    closes = b"".join(b"]" if level % 2 else b"}" for level in range(depth))
    return opens + leaf + closes


# -- serialising ---------------------------------------------------------------------------------


@st.composite
def json_bytes(draw: st.DrawFn, value: Any) -> bytes:
    """``value`` as JSON text in one of several layouts; lone surrogates may become invalid UTF-8."""
    indent = draw(st.sampled_from([None, None, 0, 1, 2, "\t"]))
    ensure_ascii = draw(st.booleans())
    compact = draw(st.booleans())
    separators = (",", ":") if compact and indent is None else None
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    # ensure_ascii=False leaves lone surrogates in the text: surrogatepass writes them as the
    # (invalid) UTF-8 a careless exporter produces; the readers must repair them, not crash.
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte-level mutations: flips, deletions, insertions, a cut or a splice."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "cut", "splice", "dup"]))
        if not out:
            out.extend(draw(st.binary(min_size=1, max_size=8)))
            continue
        i = draw(st.integers(0, len(out) - 1))
        if op == "flip":
            out[i] ^= draw(st.integers(1, 255))
        elif op == "delete":
            del out[i : i + draw(st.integers(1, 16))]
        elif op == "insert":
            out[i:i] = draw(st.sampled_from([b"{", b"}", b"[", b"]", b'"', b"\\", b",", b"\n", b"\x00", b"\xff"]))
        elif op == "cut":
            del out[i:]
        elif op == "splice":
            j = draw(st.integers(0, len(out) - 1))
            out[i:i] = out[j : j + draw(st.integers(1, 64))]
        else:
            out[i:i] = out[i : i + draw(st.integers(1, 32))] * draw(st.integers(1, 3))
    return bytes(out)


# -- URLs and headers ------------------------------------------------------------------------------

HOSTS = ["api.example.com", "API.Example.COM", "10.0.0.1", "[::1]", "[::1", "[::1]x", "a:b:c", "", "ex ample.com"]
PORTS = ["", ":80", ":443", ":8443", ":0", ":65536", ":99999999999999999999", ":abc", ":", ":٣"]
PATH_SEGMENTS = ["users", "42", "%2F", "%zz", "%ff", "", "..", "ü", "a;b", "{id}", "%00", "\ud800", "a b"]


@st.composite
def urls(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(texts)
    scheme = draw(st.sampled_from(["https", "http", "HTTP", "wss", "ftp", "h+t.t-p", "1http"]))
    user = draw(st.sampled_from(["", "", "user:pw@", "@"]))
    host = draw(st.one_of(st.sampled_from(HOSTS), st.text(max_size=12)))
    port = draw(st.sampled_from(PORTS))
    segments = draw(st.lists(st.one_of(st.sampled_from(PATH_SEGMENTS), st.text(max_size=6)), max_size=5))
    path = "/" + "/".join(segments) if segments or draw(st.booleans()) else ""
    query = draw(st.sampled_from(["", "", "?", "?a=1&b=2", "?a=%zz&&=&b", "?x=" + "y" * 50, "?q=' OR 1=1--"]))
    fragment = draw(st.sampled_from(["", "", "#frag", "#?x=1"]))
    url = f"{scheme}://{user}{host}{port}{path}{query}{fragment}"
    if draw(st.integers(0, 9)) == 0:
        return url[url.find("/", len(scheme) + 3) :] if "/" in url[len(scheme) + 3 :] else "/" + url
    return url


@lru_cache
def valid_urls() -> st.SearchStrategy[str]:
    segment = st.text("abcxyz0123456789-_.~%", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
    return st.builds(
        lambda scheme, host, port, segs, query: f"{scheme}://{host}{port}/{'/'.join(segs)}{query}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(["api.example.com", "shop.example.org", "10.0.0.2", "[2001:db8::1]"]),
        st.sampled_from(["", ":8080", ":443"]),
        st.lists(segment, max_size=4),
        st.sampled_from(["", "?a=1", "?a=1&b=", "?q=%20x"]),
    )


HEADER_NAMES = [
    "Host",
    "Content-Type",
    "content-encoding",
    "Cookie",
    "Set-Cookie",
    "X-Forwarded-For",
    "x-request-id",
    "Authorization",
    ":authority",
    ":path",
    "ΣΣ",
    "",
    "X-A",
    "x-a",
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/json; charset=rot13",
    "application/json; charset=base64",
    "application/json; charset=zlib",
    "application/json; charset=utf-7",
    "application/json; charset=nonsense",
    "application/problem+json",
    "text/plain",
    "text/html; charset=iso-8859-1",
    "text/xml",
    "application/xml; charset=utf-16le",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=cp1252",
    "multipart/form-data; boundary=XyZ",
    'multipart/form-data; boundary="a b"',
    "multipart/mixed",
    "image/png",
    "application/octet-stream",
    "application/grpc",
    "",
    ";",
    "application/json; charset=",
    'application/json; charset="utf-8',
]
ENCODINGS = ["gzip", "deflate", "br", "identity", "gzip, br", "br, gzip", "x-gzip", "gzip, gzip, gzip, gzip", "zstd"]


@lru_cache
def header_values() -> st.SearchStrategy[str]:
    return st.one_of(texts, st.sampled_from(CONTENT_TYPES), st.sampled_from(ENCODINGS))


# -- bodies ----------------------------------------------------------------------------------------


def encode_content(data: bytes, encoding: str) -> bytes:
    """``data`` compressed as ``encoding`` says, layer by layer (unknown codings left as is)."""
    for layer in reversed([c.strip().lower() for c in encoding.split(",")]):
        if layer in ("gzip", "x-gzip"):
            data = gzip.compress(data, mtime=0)  # not the clock: hypothesis replays must be identical
        elif layer == "deflate":
            data = zlib.compress(data)
        elif layer == "br":
            data = brotli.compress(data)
    return data


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str | None, str | None]:
    """``(bytes, content-type, content-encoding)``: JSON, forms, multipart, text or raw bytes,
    sometimes compressed (correctly, wrongly labelled, or cut), with matching or lying types."""
    kind = draw(st.sampled_from(["json", "json", "form", "multipart", "text", "xml", "bytes"]))
    if kind == "json":
        data = draw(json_bytes(draw(json_values(20))))
    elif kind == "form":
        pairs = draw(st.lists(st.tuples(texts, texts), max_size=6))
        data = "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")
    elif kind == "multipart":
        parts = draw(st.lists(st.tuples(texts, st.binary(max_size=40)), max_size=4))
        chunks = [
            b'--XyZ\r\nContent-Disposition: form-data; name="' + n.encode("utf-8", "surrogatepass") + b'"\r\n\r\n' + v
            for n, v in parts
        ]
        data = b"\r\n".join(chunks) + draw(st.sampled_from([b"\r\n--XyZ--\r\n", b"", b"\r\n--XyZ"]))
    elif kind == "text":
        codec = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-32"]))
        data = draw(texts).encode(codec, "replace" if codec == "latin-1" else "surrogatepass")
    elif kind == "xml":
        data = b'<?xml version="1.0" encoding="' + draw(st.sampled_from([b"utf-8", b"utf-16", b"bogus"])) + b'"?>'
        data += b"<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>"
    else:
        data = draw(st.binary(max_size=200))
    if draw(st.integers(0, 5)) == 0:
        data = draw(mutated(data)) if data else data
    ctype = draw(st.one_of(st.none(), st.sampled_from(CONTENT_TYPES), texts))
    encoding: str | None = None
    if draw(st.integers(0, 2)) == 0:
        encoding = draw(st.one_of(st.sampled_from(ENCODINGS), texts))
        if draw(st.integers(0, 3)):
            data = encode_content(data, encoding)
        if draw(st.integers(0, 5)) == 0 and data:
            data = data[: draw(st.integers(0, len(data) - 1))]
    return data, ctype, encoding


# -- HAR -------------------------------------------------------------------------------------------


@lru_cache
def _name_values() -> st.SearchStrategy[list[dict[str, Any]]]:
    value = st.one_of(header_values(), scalars)
    return st.lists(st.fixed_dictionaries({"name": st.sampled_from(HEADER_NAMES) | texts, "value": value}), max_size=5)


def _maybe(draw: st.DrawFn, value: Any, hostile: st.SearchStrategy[Any] | None = None) -> Any:
    """``value`` mostly; sometimes an arbitrary JSON value instead (a wrong type, null...)."""
    if draw(st.integers(0, 7)) == 0:
        return draw(hostile if hostile is not None else json_values(4))
    return value


@st.composite
def har_entry(draw: st.DrawFn) -> dict[str, Any]:
    """A HAR entry, each field valid or not: a decode may reject it, never crash on it."""
    body, ctype, encoding = draw(bodies())
    as_base64 = draw(st.booleans())
    text = base64.b64encode(body).decode() if as_base64 else body.decode("utf-8", "replace")
    if as_base64 and draw(st.integers(0, 9)) == 0:
        text = draw(st.sampled_from(["@@", "QUJD\nREVG", "QUJ", text + "="]))
    headers = draw(_name_values())
    if ctype is not None:
        headers.append({"name": "Content-Type", "value": ctype})
    if encoding is not None:
        headers.append({"name": "Content-Encoding", "value": encoding})
    request: dict[str, Any] = {
        "method": _maybe(draw, draw(st.sampled_from(["GET", "post", "", " ", "PATCH", "TEST_METHOD"]) | texts)),
        "url": _maybe(draw, draw(urls())),
        "httpVersion": "HTTP/1.1",
        "headers": _maybe(draw, headers),
        "queryString": _maybe(draw, draw(_name_values())),
        "cookies": _maybe(draw, draw(_name_values())),
        "headersSize": -1,
        "bodySize": len(body),
    }
    if draw(st.booleans()):
        post: dict[str, Any] = {"mimeType": ctype, "text": text}
        if as_base64:
            post["encoding"] = draw(st.sampled_from(["base64", "BASE64", "b64", None]))
        if draw(st.integers(0, 3)) == 0:
            post["params"] = draw(_name_values())
        request["postData"] = _maybe(draw, post)
    content: dict[str, Any] = {"size": _maybe(draw, len(body)), "mimeType": _maybe(draw, ctype), "text": text}
    if as_base64:
        content["encoding"] = draw(st.sampled_from(["base64", "BASE64", "b64", None]))
    response: dict[str, Any] = {
        "status": _maybe(draw, draw(st.sampled_from([200, 404, 0, 999, 1000, -1, "200", " 201 ", "٢٠٠", 200.0, 2.5]))),
        "statusText": "OK",
        "headers": _maybe(draw, draw(_name_values())),
        "content": _maybe(draw, content),
    }
    entry: dict[str, Any] = {
        "startedDateTime": _maybe(
            draw,
            draw(st.sampled_from(["2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00+05:00", "9999-12-31T23:59:59", ""])),
        ),
        "time": _maybe(draw, draw(st.sampled_from([12.5, -1, 0, 1e308, "12", "x"]))),
        "request": _maybe(draw, request),
        "response": _maybe(draw, response),
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }
    if draw(st.integers(0, 3)) == 0:
        entry["_clientIPAddress"] = _maybe(draw, draw(texts))
    if draw(st.integers(0, 4)) == 0:
        # A nested object that starts like an entry: the fast framing must not be fooled by it.
        entry["_initiator"] = {"startedDateTime": "2026", "stack": nested(draw(st.integers(0, 14)))}
    if draw(st.integers(0, 5)) == 0:
        del entry[draw(st.sampled_from(sorted(entry)))]
    order = draw(st.permutations(sorted(entry))) if draw(st.integers(0, 5)) == 0 else list(entry)
    return {k: entry[k] for k in order}


@st.composite
def valid_har_entry(draw: st.DrawFn) -> dict[str, Any]:
    """A HAR entry every reader must turn into a transaction.

    Its text holds no lone surrogate: msgspec refuses a ``\\ud800`` escape, so an entry with one
    is rejected (reported to the lead; JSON allows the escape)."""
    body, _, _ = draw(bodies())
    ctype = draw(st.none() | st.sampled_from(CONTENT_TYPES))
    encoding = draw(st.none() | st.sampled_from(ENCODINGS))
    headers = [
        {"name": n, "value": v}
        for n, v in draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES[:8]), st.text(max_size=20)), max_size=4))
    ]
    if ctype is not None:
        headers.append({"name": "Content-Type", "value": ctype})
    if encoding is not None:
        headers.append({"name": "Content-Encoding", "value": encoding})
    return {
        "startedDateTime": "2026-11-25T10:00:00.000Z",
        "time": draw(st.floats(0, 1e6)),
        "request": {
            "method": draw(st.sampled_from(["GET", "post", "DELETE"])),
            "url": draw(valid_urls()),
            "httpVersion": "HTTP/2",
            "headers": headers,
            "queryString": [],
            "cookies": [],
            "postData": {"mimeType": ctype or "", "text": base64.b64encode(body).decode(), "encoding": "base64"},
        },
        "response": {
            "status": draw(st.integers(0, 999)),
            "headers": [],
            "content": {"size": len(body), "mimeType": ctype, "text": draw(st.text(max_size=40))},
        },
    }


@st.composite
def har_entries(draw: st.DrawFn) -> tuple[list[Any], list[bool]]:
    """``(entries, valid)``: a mix of valid, mutated and arbitrary entries; ``valid[i]`` says entry
    ``i`` must become a transaction."""
    out: list[Any] = []
    valid: list[bool] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["valid", "entry", "entry", "entry", "any"]))
        if kind == "valid":
            out.append(draw(valid_har_entry()))
        elif kind == "entry":
            out.append(draw(har_entry()))
        else:
            out.append(draw(json_values(8)))
        valid.append(kind == "valid")
    return out, valid


@st.composite
def har_document(draw: st.DrawFn, entries: list[Any], log_first: bool = False) -> bytes:
    """A HAR document holding ``entries``, with varied keys around them, as bytes.

    ``log_first`` keeps ``log`` the first key, as a file must have it to be recognised as HAR by
    its content alone (a name without ``.har``)."""
    log: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(["version", "creator", "pages", "comment", "browser"]), unique=True)):
        log[key] = draw(json_values(6)) if key != "pages" else [{"id": "p", "title": '{"startedDateTime": 1}'}]
    log["entries"] = entries
    if draw(st.booleans()):
        log["comment_after"] = draw(json_values(4))
    doc: dict[str, Any] = {"log": log}
    if draw(st.booleans()):
        before = not log_first and draw(st.booleans())
        doc = {"before": draw(json_values(4)), "log": log} if before else {"log": log, "after": 1}
    data: bytes = draw(json_bytes(doc))
    if draw(st.integers(0, 7)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


# -- NDJSON ----------------------------------------------------------------------------------------


@lru_cache
def _wire_headers() -> st.SearchStrategy[Any]:
    pairs = st.lists(st.tuples(st.sampled_from(HEADER_NAMES) | texts, header_values()), max_size=4)
    return st.one_of(pairs.map(lambda p: [list(x) for x in p]), pairs.map(dict), st.none())


@st.composite
def ndjson_record(draw: st.DrawFn) -> dict[str, Any]:
    body, ctype, _ = draw(bodies())
    as_base64 = draw(st.booleans())
    text = base64.b64encode(body).decode() if as_base64 else body.decode("utf-8", "replace")
    headers = draw(_wire_headers())
    if ctype is not None:
        headers = [*(headers.items() if isinstance(headers, dict) else headers or ()), ("Content-Type", ctype)]
        headers = [list(h) for h in headers]
    request: dict[str, Any] = {
        "method": _maybe(draw, draw(st.sampled_from(["GET", "post", "", "  "]) | texts)),
        "url": _maybe(draw, draw(urls())),
        "headers": _maybe(draw, headers),
        "body": _maybe(draw, text),
    }
    if as_base64:
        request["body_encoding"] = draw(st.sampled_from(["base64", "BASE64", "gzip", None]))
    record: dict[str, Any] = {
        "v": _maybe(draw, 1, st.sampled_from([0, 2, "1", 1.0, None, True, 2**70])),
        "time": _maybe(draw, draw(st.sampled_from(["2026-11-25T10:00:00Z", 1.7e9, -1e300, "garbage", 1e308]))),
        "client": _maybe(draw, draw(texts)),
        "request": _maybe(draw, request),
        "duration_ms": _maybe(draw, draw(st.sampled_from([1.5, -3, 0, 1e308]))),
        "request_id": _maybe(draw, draw(texts)),
    }
    if draw(st.booleans()):
        record["response"] = _maybe(
            draw,
            {
                "status": _maybe(draw, draw(st.sampled_from([200, 0, 999, 1000, -5, 2**63]))),
                "headers": _maybe(draw, draw(_wire_headers())),
                "body": _maybe(draw, draw(texts)),
            },
        )
    if draw(st.integers(0, 5)) == 0:
        del record[draw(st.sampled_from(sorted(record)))]
    return record


@st.composite
def valid_ndjson_record(draw: st.DrawFn) -> dict[str, Any]:
    body, _, _ = draw(bodies())
    ctype = draw(st.none() | st.sampled_from(CONTENT_TYPES))
    headers = draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES[:8]), st.text(max_size=20)), max_size=4))
    if ctype is not None:
        headers.append(("Content-Type", ctype))
    return {
        "v": 1,
        "time": draw(st.sampled_from(["2026-11-25T10:00:00Z", 1.7e9, None])),
        "request": {
            "method": draw(st.sampled_from(["GET", "put"])),
            "url": draw(valid_urls()),
            "headers": [list(h) for h in headers],
            "body": base64.b64encode(body).decode(),
            "body_encoding": "base64",
        },
        "response": {"status": draw(st.integers(0, 999)), "headers": {"X": "y"}, "body": draw(st.text(max_size=30))},
    }


@st.composite
def ndjson_lines(draw: st.DrawFn) -> tuple[list[bytes], list[bool]]:
    """``(lines without their newline, valid)``: records valid, mutated, arbitrary, blank or raw bytes."""
    lines: list[bytes] = []
    valid: list[bool] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["valid", "record", "record", "record", "any", "blank", "bytes"]))
        if kind == "valid":
            line = json.dumps(draw(valid_ndjson_record()), ensure_ascii=draw(st.booleans())).encode(
                "utf-8", "surrogatepass"
            )
        elif kind == "record":
            line = json.dumps(draw(ndjson_record()), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        elif kind == "any":
            line = draw(json_bytes(draw(json_values(8))))
        elif kind == "blank":
            line = draw(st.sampled_from([b"", b" ", b"\t", b"\r", b" \r"]))
        else:
            line = draw(st.binary(max_size=60))
        if kind in ("record", "bytes") and draw(st.integers(0, 4)) == 0:
            line = draw(mutated(line))
        line = line.replace(b"\n", b"")
        lines.append(line)
        valid.append(kind == "valid")
    return lines, valid


def is_blank(line: bytes) -> bool:
    """Whether a reader skips ``line`` (no newline) as blank, as ``bytes.isspace`` says."""
    return not line or line.isspace()


# -- OpenAPI ---------------------------------------------------------------------------------------

SPEC_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "x-custom", "parameters"]


@lru_cache
def _spec_parts() -> dict[str, st.SearchStrategy[Any]]:
    param = st.fixed_dictionaries(
        {
            "name": _any_or(texts),
            "in": _any_or(st.sampled_from(["query", "header", "path", "cookie", "body"])),
        },
        optional={"required": st.booleans(), "schema": json_values(4)},
    )
    ref = st.sampled_from(
        ["#/components/parameters/P", "#/parameters/P", "#/", "#/a~1b/~0", "http://x/y", "#/paths", "#/components"]
    ).map(lambda r: {"$ref": r})
    params = st.lists(st.one_of(param, ref, json_values(3)), max_size=4)
    operation = st.fixed_dictionaries(
        {}, optional={"parameters": _any_or(params), "deprecated": _any_or(st.booleans()), "responses": json_values(3)}
    )
    item = st.dictionaries(st.sampled_from(SPEC_METHODS), _any_or(operation), max_size=4)
    path_keys = st.one_of(
        st.sampled_from(["/", "/users/{id}", "users", "//a//", "/a/{b}/{c", "", "/%zz"]), texts, st.integers()
    )
    server_url = st.sampled_from(["https://api.example.com/v1", "http://[::1", "{scheme}://{host}/b", "/", "//h:x/"])
    variables = st.dictionaries(texts, _any_or(st.fixed_dictionaries({"default": _any_or(texts)})), max_size=3)
    server = st.fixed_dictionaries({"url": _any_or(server_url)}, optional={"variables": _any_or(variables)})
    return {
        "param": param,
        "paths": _any_or(st.dictionaries(path_keys, _any_or(item), max_size=5), rate=12),
        "servers": _any_or(st.lists(_any_or(server), max_size=3)),
        "host": _any_or(st.sampled_from(["api.example.com", "api.example.com:8443", "", ":::", "[::1"])),
        "basePath": _any_or(st.sampled_from(["/v1", "", "/", "v2/", "//"])),
    }


@st.composite
def openapi_document(draw: st.DrawFn) -> Any:
    """An OpenAPI 2.0 or 3.x document with paths, operations, servers and parameters, mutated."""
    parts = _spec_parts()
    doc: dict[str, Any] = {"info": {"title": "t", "version": "1"}, "paths": draw(parts["paths"])}
    if draw(st.booleans()):
        doc["openapi"] = draw(st.sampled_from(["3.0.3", "3.1.0", 3]))
        doc["servers"] = draw(parts["servers"])
        doc["components"] = {"parameters": {"P": draw(parts["param"])}}
    else:
        doc["swagger"] = "2.0"
        doc["host"] = draw(parts["host"])
        doc["basePath"] = draw(parts["basePath"])
        doc["parameters"] = {"P": draw(parts["param"])}
    if draw(st.integers(0, 9)) == 0:
        del doc[draw(st.sampled_from(sorted(doc)))]
    return doc


def _any_or(strategy: st.SearchStrategy[Any], rate: int = 8) -> st.SearchStrategy[Any]:
    """``strategy`` mostly, an arbitrary JSON value one time in ``rate``."""
    return st.one_of(*([strategy] * (rate - 1)), json_values(4))


# -- config ----------------------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
"""JSON has no NaN or infinity (``json.dumps`` writes ``NaN``, which YAML reads as a string)."""

CONFIG_TREE: dict[str, Any] = {
    "tenant": st.text(max_size=10),
    "templates": {"pin": st.lists(texts, max_size=3), "keep_literal": st.lists(texts, max_size=3)},
    "limits": {
        "max_body_bytes": st.integers(),
        "max_decompressed_bytes": st.integers(),
        "max_json_depth": st.integers(),
    },
    "sensitive": {
        "custom_types": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(["badge_id", "x", "", "a-b", "ü", "badge_id"]) | texts},
                    optional={
                        "pattern": st.sampled_from([r"B-\d{6}", "", " ", "(", r"(a+)+$", r"\p{L}+", "(?P<x>a)", "\\"])
                        | texts,
                        "key_hints": st.lists(st.sampled_from(["badge", "", "(", "*", "id"]) | texts, max_size=3),
                        "validator": st.sampled_from(["luhn", "iban", "nope"]) | texts,
                        "confidence": st.sampled_from([0.5, 0, 1, 1.5, -1]) | st.floats(),
                    },
                ),
                st.dictionaries(texts, json_values(3), max_size=3),
            ),
            max_size=3,
        )
    },
    "detection": {"sensitivity": st.integers(0, 5) | st.none(), "disabled": st.lists(texts, max_size=3)},
    "server": {
        "listen": texts,
        "bus": st.sampled_from(["memory://", "nats://127.0.0.1:4222"]),
        "max_batch_bytes": st.integers(),
        "log_format": st.sampled_from(["text", "json", "xml"]),
        "worker": {"fetch_batch": st.integers(), "fetch_timeout_s": finite_floats},
        "analyzer": {"interval_s": finite_floats, "lease_ttl_s": finite_floats},
        "alerts": {
            "min_severity": st.sampled_from(["info", "high", "bogus"]),
            "webhooks": st.lists(st.fixed_dictionaries({"url": texts}, optional={"format": texts}), max_size=2),
        },
    },
}


@st.composite
def config_tree(draw: st.DrawFn, mutate: bool = True, tree: dict[str, Any] | None = None) -> Any:
    """Part of the settings tree with valid-typed values; with ``mutate``, some values are
    replaced by arbitrary ones and some keys misspelt."""
    tree = CONFIG_TREE if tree is None else tree
    out: dict[Any, Any] = {}
    for key in draw(st.lists(st.sampled_from(sorted(tree)), unique=True, max_size=len(tree))):
        spec = tree[key]
        value = draw(config_tree(mutate, spec)) if isinstance(spec, dict) else draw(spec)
        roll = draw(st.integers(0, 11)) if mutate else 2
        if roll == 0:
            value = draw(json_values(4))
        elif roll == 1:
            key = key + draw(st.sampled_from(["_", "s", " ", "X"]))
        out[key] = value
    return out


YAML_SNIPPETS = [
    "",
    "~",
    "[]",
    "- a\n- b\n",
    "tenant: !!python/object/apply:os.system ['true']\n",
    "tenant: &a x\nserver: *a\n",
    "limits: {max_body_bytes: 0x10}\n",
    "limits: {max_body_bytes: 1e3}\n",
    "limits: {max_body_bytes: " + "9" * 5000 + "}\n",
    "limits: {max_json_depth: .inf}\n",
    "tenant: 2026-11-25\n",
    "tenant: !!binary aGk=\n",
    "? [a]\n: b\n",
    "{a: 1, a: 2}\n",
    "tenant: '\\ud800'\n",
    'tenant: "\\ud800"\n',
    "tenant: x\n---\ntenant: y\n",
    "\t tenant: x\n",
    "%YAML 1.1\n---\ntenant: x\n",
    "templates:\n  pin: [/a/{b}]\n  keep_literal: /x\n",
    "detection: {sensitivity: yes}\n",
    "server: {alerts: {webhooks: [{}]}}\n",
    "1: 2\n",
    "null: 1\n",
    "tenant: <<\n",
    "<<: {tenant: x}\n",
    "<<: [*x]\n",
]


# -- fan-out ---------------------------------------------------------------------------------------

_TOKENS = [b"{", b"}", b"[", b"]", b'"', b"\\", b",", b":", b"\n", b"\x00", b"\xff", b"\xc3", b"\\u", b"null", b"-"]


def byte_variants(seed: int, data: bytes, count: int) -> Iterator[bytes]:
    """``count`` byte-level mutations of ``data``, from a seeded ``random.Random``.

    Hypothesis spends milliseconds building each structured document; mutating one it built is a
    thousand times cheaper, so a full run (``TRACEHOUND_FUZZ_FANOUT``) feeds each document's
    mutants too. Seeded by a drawn integer, so a failure replays with its example.
    """
    rng = random.Random(seed)
    for _ in range(count):
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            if not out:
                out.extend(rng.choice(_TOKENS))
                continue
            i = rng.randrange(len(out))
            op = rng.randrange(6)
            if op == 0:
                out[i] ^= rng.randint(1, 255)
            elif op == 1:
                del out[i : i + rng.randint(1, 16)]
            elif op == 2:
                out[i:i] = rng.choice(_TOKENS)
            elif op == 3:
                del out[i:]
            elif op == 4:
                j = rng.randrange(len(out))
                out[i:i] = out[j : j + rng.randint(1, 64)]
            else:
                out[i : i + 1] = bytes([rng.choice(b"09aZ \t\"'%\\\x7f\x80")])
        yield bytes(out)
