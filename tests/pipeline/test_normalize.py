"""Tests of the normalize stage: decoding tables, hostile bodies, and the never-raises property."""

from __future__ import annotations

import gzip
import json
import time
import zlib
from typing import Any

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehound.model import Body, BodyKind, Transaction
from tracehound.pipeline.normalize import DEFAULT_LIMITS, Limits, normalize


def make_tx(
    path: str = "/",
    query: str = "",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
    response_headers: tuple[tuple[str, str], ...] = (),
    response_body: bytes = b"",
) -> Transaction:
    return Transaction(
        seq=7,
        source="test",
        method="POST",
        scheme="https",
        host="api.example.com",
        path=path,
        query=query,
        request_headers=headers,
        request_body=body,
        status=200,
        response_headers=response_headers,
        response_body=response_body,
        started=1.5,
        duration_ms=2.5,
        client="203.0.113.9",
    )


def request_body(body: bytes, ctype: str | None = None, encoding: str | None = None, **kw: Any) -> Body:
    headers: list[tuple[str, str]] = []
    if ctype is not None:
        headers.append(("content-type", ctype))
    if encoding is not None:
        headers.append(("content-encoding", encoding))
    return normalize(make_tx(headers=tuple(headers), body=body), **kw).request_body


# --- path, query, headers, cookies ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("/", ()),
        ("", ()),
        ("/users/42/", ("users", "42")),
        ("//users//42", ("users", "42")),
        ("/files/a%2Fb", ("files", "a/b")),
        ("/files/a%2fb/c", ("files", "a/b", "c")),
        ("/caf%C3%A9", ("café",)),
        ("/a%20b/c+d", ("a b", "c+d")),
        ("/bad%ZZ/%", ("bad%ZZ", "%")),
        ("/trunc%4", ("trunc%4",)),
        ("/%ff%fe", ("\ufffd\ufffd",)),
        ("/%00", ("\x00",)),
        ("/..%2F..%2Fetc%2Fpasswd", ("../../etc/passwd",)),
    ],
)
def test_path_segments_split_before_percent_decoding(path: str, segments: tuple[str, ...]) -> None:
    ex = normalize(make_tx(path=path))
    assert ex.segments == segments
    assert ex.raw_path == path


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        ("", ()),
        ("a=1&b=2", (("a", "1"), ("b", "2"))),
        ("a=1&a=2", (("a", "1"), ("a", "2"))),
        ("b=&c", (("b", ""), ("c", ""))),
        ("&&a=1&", (("a", "1"),)),
        ("q=x+y%20z", (("q", "x y z"),)),
        ("q=a%2Bb", (("q", "a+b"),)),
        ("k%5B%5D=v", (("k[]", "v"),)),
        ("a=1;b=2", (("a", "1;b=2"),)),
        ("x=%E2%82%AC", (("x", "€"),)),
        ("x=%ff", (("x", "\ufffd"),)),
        ("x=%G0", (("x", "%G0"),)),
        ("x=a=b", (("x", "a=b"),)),
        ("=v", (("", "v"),)),
    ],
)
def test_query_pairs_keep_order_and_blanks(query: str, pairs: tuple[tuple[str, str], ...]) -> None:
    ex = normalize(make_tx(query=query))
    assert ex.query == pairs
    assert ex.raw_query == query


def test_query_over_field_cap_is_cut() -> None:
    ex = normalize(make_tx(query="&".join(f"k{i}=v" for i in range(50))), Limits(max_form_fields=10))
    assert len(ex.query) == 10
    assert ex.query[-1] == ("k9", "v")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ((("Content-Type", "text/plain"),), {"content-type": "text/plain"}),
        ((("X-A", "1"), ("x-a", "2")), {"x-a": "1, 2"}),
        ((("Accept", "a"), ("ACCEPT", "b"), ("accept", "c")), {"accept": "a, b, c"}),
        ((("cookie", "a=1"), ("Cookie", "b=2")), {"cookie": "a=1; b=2"}),
    ],
)
def test_headers_by_lower_case_name(headers: tuple[tuple[str, str], ...], expected: dict[str, str]) -> None:
    assert normalize(make_tx(headers=headers)).headers == expected


def test_set_cookie_joined_by_newline() -> None:
    cookies = (("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"), ("set-cookie", "b=2"))
    ex = normalize(make_tx(response_headers=cookies))
    assert ex.response_headers == {"set-cookie": "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT\nb=2"}


@pytest.mark.parametrize(
    ("cookie", "pairs"),
    [
        ("a=1", (("a", "1"),)),
        ("a=1; b=2", (("a", "1"), ("b", "2"))),
        ("a=1;b=2;", (("a", "1"), ("b", "2"))),
        (" a = 1 ;  ; b=", (("a", "1"), ("b", ""))),
        ("junk; a=1", (("", "junk"), ("a", "1"))),
        ('s="quoted value"', (("s", '"quoted value"'),)),
        ("t=a=b=c", (("t", "a=b=c"),)),
        ("e=%27%20OR", (("e", "%27%20OR"),)),
        (";;;", ()),
        ("", ()),
    ],
)
def test_cookies_tolerate_junk(cookie: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert normalize(make_tx(headers=(("cookie", cookie),))).cookies == pairs


def test_cookie_header_parsed_only_up_to_cap() -> None:
    cookie = "a=1; " + "x" * 100 + "; b=2"
    ex = normalize(make_tx(headers=(("cookie", cookie),)), Limits(max_header_bytes=50))
    assert ex.cookies == (("a", "1"), ("", "x" * 45))


def test_exchange_copies_transaction_fields() -> None:
    tx = make_tx(path="/a", query="q=1", headers=(("x-request-id", "r1"),))
    ex = normalize(tx)
    assert (ex.seq, ex.service, ex.method, ex.scheme, ex.status) == (
        7,
        "api.example.com",
        "POST",
        "https",
        200,
    )
    assert (ex.started, ex.duration_ms, ex.client) == (1.5, 2.5, "203.0.113.9")
    assert ex.request_id == "r1"


# --- content-encodings ----------------------------------------------------------------------

PAYLOAD = b'{"user": "alice", "items": [1, 2, 3]}'


def _deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAYLOAD)),
        ("x-gzip", gzip.compress(PAYLOAD)),
        ("GZIP", gzip.compress(PAYLOAD)),
        ("gzip", gzip.compress(PAYLOAD[:10]) + gzip.compress(PAYLOAD[10:])),
        ("deflate", zlib.compress(PAYLOAD)),
        ("deflate", _deflate_raw(PAYLOAD)),
        ("br", brotli.compress(PAYLOAD)),
        ("identity", PAYLOAD),
        ("gzip, br", brotli.compress(gzip.compress(PAYLOAD))),
        ("", PAYLOAD),
    ],
)
def test_compressed_bodies_are_decoded(encoding: str, body: bytes) -> None:
    b = request_body(body, "application/json", encoding)
    assert b.kind is BodyKind.JSON
    assert b.value == json.loads(PAYLOAD)
    assert b.size == len(PAYLOAD)
    assert b.error is None
    assert not b.already_decoded


def test_unknown_content_encoding_keeps_raw_bytes_as_binary() -> None:
    b = request_body(b"(\xb5/\xfd...", "application/json", "zstd")
    assert b.kind is BodyKind.BINARY
    assert b.value is None
    assert b.error is not None and "unsupported content-encoding 'zstd'" in b.error


def test_too_many_encoding_layers_are_not_decoded() -> None:
    b = request_body(b"xx", None, "gzip, gzip, gzip, gzip")
    assert b.kind is BodyKind.BINARY
    assert b.error is not None and "more than 3 content-encodings" in b.error


# Raw deflate reads this as a fixed-Huffman block and "decodes" it cleanly to noise.
DEFLATE_NOISE = b'{"Xp": true, "saqFx": null}'


@pytest.mark.parametrize(
    ("encoding", "ctype", "body"),
    [
        ("gzip", "application/json", PAYLOAD),
        ("x-gzip", "application/json", PAYLOAD),
        ("br", "application/json", PAYLOAD),
        ("br", "text/plain", b"ok"),
        ("br", "text/plain", b"?"),  # a one-byte valid (empty) brotli stream
        ("br", "text/html; charset=utf-8", "<p>caf\u00e9 \u65e5\u672c</p>".encode()),
        ("deflate", "application/json", PAYLOAD),
        ("deflate", "application/json", DEFLATE_NOISE),
        ("zstd", "application/json", PAYLOAD),
        ("gzip, br", "application/json", PAYLOAD),
        ("GZIP", "application/json", b'{"ok": true}\n'),
    ],
)
def test_browser_exported_body_is_taken_as_already_decoded(encoding: str, ctype: str, body: bytes) -> None:
    # Browsers export HAR bodies decoded but keep the Content-Encoding header.
    b = request_body(body, ctype, encoding)
    assert b.error is None
    assert b.already_decoded
    assert b.size == len(body)
    if ctype == "application/json":
        assert b.kind is BodyKind.JSON and b.value == json.loads(body)
    else:
        assert b.kind is BodyKind.TEXT and b.value == body.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02 not gzip \xff\xfe",  # binary, not what it says
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"caf\xe9 au lait",  # latin-1 text: not valid UTF-8, so not taken as plain
    ],
)
def test_body_that_is_neither_encoded_nor_plain_text_keeps_its_error(body: bytes) -> None:
    b = request_body(body, "application/octet-stream", "gzip")
    assert not b.already_decoded
    assert b.error is not None and "taken as identity" in b.error


def test_garbage_with_unknown_encoding_is_still_unsupported() -> None:
    b = request_body(b"\x00\x01garbage\xff", "application/json", "zstd")
    assert b.kind is BodyKind.BINARY and not b.already_decoded
    assert b.error is not None and "unsupported content-encoding 'zstd'" in b.error


def test_plain_text_over_the_decompression_cap_is_cut_at_the_cap() -> None:
    limits = Limits(max_decompressed_bytes=1000, max_body_bytes=4000)
    b = request_body(b"a" * 5000, "text/plain", "gzip", limits=limits)
    assert b.already_decoded and b.size == 1000
    assert b.value == "a" * 1000


def test_really_compressed_text_is_decoded_not_taken_as_is() -> None:
    # The compressed bytes are binary, so the plain-text rule never applies to them.
    text = b"plain text " * 100
    for encoding, body in (
        ("gzip", gzip.compress(text)),
        ("br", brotli.compress(text)),
        ("deflate", zlib.compress(text)),
    ):
        b = request_body(body, "text/plain", encoding)
        assert b.value == text.decode() and b.error is None and not b.already_decoded


def test_truncated_gzip_keeps_what_was_decoded() -> None:
    text = " ".join(str(i * 7919 % 10007) for i in range(3000)).encode()
    b = request_body(gzip.compress(text)[:200], "text/plain", "gzip")
    assert b.kind is BodyKind.TEXT
    assert isinstance(b.value, str) and text.decode().startswith(b.value) and b.value
    assert b.error is not None and "truncated" in b.error


def _gzip_zeros_single_stream(total: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join([c.compress(chunk) for _ in range(total >> 20)]) + c.flush()


@pytest.mark.parametrize(
    ("encoding", "make_bomb"),
    [
        # 1 GiB of zeros as 1024 concatenated gzip members (about 1 MB compressed).
        ("gzip", lambda: gzip.compress(bytes(1 << 20), 9) * 1024),
        ("gzip", lambda: _gzip_zeros_single_stream(64 << 20)),
        ("deflate", lambda: zlib.compress(bytes(64 << 20), 9)),
        ("br", lambda: brotli.compress(bytes(256 << 20), quality=1)),
        # plain-text output: decoded and capped, never mistaken for an already-decoded body
        ("gzip", lambda: gzip.compress(b"a" * (64 << 20), 9)),
    ],
)
def test_compression_bomb_is_capped(encoding: str, make_bomb: Any) -> None:
    bomb = make_bomb()
    started = time.perf_counter()
    b = request_body(bomb, "application/json", encoding)
    elapsed = time.perf_counter() - started
    assert b.size == DEFAULT_LIMITS.max_decompressed_bytes
    assert b.truncated
    assert b.kind is BodyKind.JSON and b.value is None
    assert b.error is not None and "decompressed size over 8388608 bytes" in b.error
    assert not b.already_decoded
    assert elapsed < 5  # generous: capped decoding of 8 MiB takes tens of milliseconds


# --- body recognition -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ctype", "body", "kind", "value"),
    [
        # declared JSON
        ("application/json", b'{"a": [1, {"b": null}]}', BodyKind.JSON, {"a": [1, {"b": None}]}),
        ("application/json; charset=utf-8", b"[1, 2]", BodyKind.JSON, [1, 2]),
        ("application/vnd.api+json", b'{"x": true}', BodyKind.JSON, {"x": True}),
        ("Application/JSON", b'"s"', BodyKind.JSON, "s"),
        ("application/json", b'\xef\xbb\xbf{"bom": 1}', BodyKind.JSON, {"bom": 1}),
        # declared JSON that does not parse is still scanned as text
        ("application/json", b"{'a': 1' OR 1=1", BodyKind.TEXT, "{'a': 1' OR 1=1"),
        # sniffed JSON
        (None, b'  {"a": 1}', BodyKind.JSON, {"a": 1}),
        ("application/octet-stream", b"[1]", BodyKind.JSON, [1]),
        ("text/plain", b'{"a": 1}\n', BodyKind.JSON, {"a": 1}),
        ("text/plain", b"{not json", BodyKind.TEXT, "{not json"),
        # forms
        (
            "application/x-www-form-urlencoded",
            b"user=alice&pw=s3cr%21t&tag=a&tag=b&empty=&flag",
            BodyKind.FORM,
            {"user": ["alice"], "pw": ["s3cr!t"], "tag": ["a", "b"], "empty": [""], "flag": [""]},
        ),
        ("application/x-www-form-urlencoded", b"q=a+b%20c", BodyKind.FORM, {"q": ["a b c"]}),
        (
            "application/x-www-form-urlencoded; charset=iso-8859-1",
            b"name=caf%E9&raw=\xe9",
            BodyKind.FORM,
            {"name": ["café"], "raw": ["é"]},
        ),
        # XML, kept as text (entities are not expanded)
        (
            "application/xml",
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            BodyKind.XML,
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        ),
        ("text/xml", b"<a>1</a>", BodyKind.XML, "<a>1</a>"),
        ("application/soap+xml", b"<e/>", BodyKind.XML, "<e/>"),
        ("image/svg+xml", b"<svg onload=alert(1)/>", BodyKind.XML, "<svg onload=alert(1)/>"),
        (None, b"<?xml version='1.0'?><a/>", BodyKind.XML, "<?xml version='1.0'?><a/>"),
        ("text/plain", b"<order><id>1</id></order>\n", BodyKind.XML, "<order><id>1</id></order>\n"),
        (
            None,
            b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>',
            BodyKind.XML,
            '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>',
        ),
        (None, b"<!DOCTYPE html><p>hi</p>", BodyKind.TEXT, "<!DOCTYPE html><p>hi</p>"),
        (None, b"<3 you", BodyKind.TEXT, "<3 you"),
        # text
        ("text/plain", b"hello", BodyKind.TEXT, "hello"),
        ("text/html; charset=utf-8", b"<p>caf\xc3\xa9</p>", BodyKind.TEXT, "<p>café</p>"),
        ("text/csv", b"a,b\n1,2\n", BodyKind.TEXT, "a,b\n1,2\n"),
        (None, b"just words", BodyKind.TEXT, "just words"),
        ("application/javascript", b"alert(1)", BodyKind.TEXT, "alert(1)"),
        ("text/plain", b"tab\tnew\nline\r\n", BodyKind.TEXT, "tab\tnew\nline\r\n"),
        # binary
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00", BodyKind.BINARY, None),
        ("application/octet-stream", b"\x00\x01\x02\x03", BodyKind.BINARY, None),
        ("application/octet-stream", b"\xfa\xfb\x80 not utf-8", BodyKind.BINARY, None),
        (None, b"GIF89a\x01\x00", BodyKind.BINARY, None),
        ("text/plain", b"text with a NUL\x00 byte", BodyKind.BINARY, None),
        ("text/plain", b"\x01\x02\x03\x04abc", BodyKind.BINARY, None),
        ("application/pdf", b"%PDF-1.7 ...", BodyKind.BINARY, None),
        ("application/grpc+proto", b"\x00\x00\x00\x00\x05hello", BodyKind.BINARY, None),
        ("application/x-protobuf", b"\x08\x96\x01", BodyKind.BINARY, None),
        # empty
        ("application/json", b"", BodyKind.EMPTY, None),
        (None, b"", BodyKind.EMPTY, None),
    ],
)
def test_body_recognition(ctype: str | None, body: bytes, kind: BodyKind, value: Any) -> None:
    b = request_body(body, ctype)
    assert b.kind is kind
    assert b.value == value
    assert b.size == len(body)
    assert not b.truncated


def test_media_type_is_bare_and_lower_case() -> None:
    b = request_body(b"{}", 'Application/JSON ; charset="UTF-8"')
    assert b.media_type == "application/json"


@pytest.mark.parametrize(
    ("ctype", "body", "value", "error"),
    [
        ("text/plain; charset=iso-8859-1", "café".encode("latin-1"), "café", None),
        ("text/plain; charset=latin1", b"\xe9", "é", None),
        ("text/plain; charset=windows-1252", b"\x80", "€", None),
        ("text/plain; charset=utf-16", "héllo".encode("utf-16"), "héllo", None),
        ("text/plain; charset=UTF-16LE", "héllo".encode("utf-16-le"), "héllo", None),
        ("text/plain; charset=utf-32", "x€".encode("utf-32"), "x€", None),
        ("text/plain; charset=shift_jis", "日本".encode("shift_jis"), "日本", None),
        (None, "utf16 with bom".encode("utf-16"), "utf16 with bom", None),
        ("application/json; charset=utf-16", '{"k": "é"}'.encode("utf-16"), {"k": "é"}, None),
        ("application/json; charset=iso-8859-1", b'{"k": "\xe9"}', {"k": "é"}, None),
        # text/* without charset: not UTF-8 falls back to latin-1, noted
        ("text/plain", b"caf\xe9", "café", "not valid utf-8; decoded as latin-1"),
        # declared charset that the bytes do not match: replaced, noted
        ("text/plain; charset=utf-8", b"caf\xe9", "caf\ufffd", "invalid utf-8 bytes replaced"),
        # a charset that is no charset
        ("text/plain; charset=nonsense", b"hi", "hi", "unknown charset 'nonsense'; decoded as utf-8"),
        ("text/plain; charset=rot13", b"hi", "hi", "unknown charset 'rot13'; decoded as utf-8"),
        ("text/plain; charset=idna", b"hi", "hi", "unknown charset 'idna'; decoded as utf-8"),
        ("text/plain; charset=undefined", b"hi", "hi", "unknown charset 'undefined'; decoded as utf-8"),
        ("text/plain; charset=zlib", b"hi", "hi", "unknown charset 'zlib'; decoded as utf-8"),
    ],
)
def test_charsets(ctype: str | None, body: bytes, value: Any, error: str | None) -> None:
    b = request_body(body, ctype)
    assert b.value == value
    assert b.error == error


def test_invalid_utf8_json_becomes_text_with_reason() -> None:
    b = request_body(b'{"a": "\xff"}', "application/json")
    assert b.kind is BodyKind.TEXT
    assert b.value == '{"a": "\ufffd"}'
    assert b.error is not None and b.error.startswith("invalid JSON")


@pytest.mark.parametrize("ctype", ["application/json", None])
@pytest.mark.parametrize("depth", [65, 500, 999, 1_000, 10_000, 100_000, 500_000])
def test_deep_json_is_text_with_an_error_not_a_crash(depth: int, ctype: str | None) -> None:
    body = b"[" * depth + b"]" * depth
    b = request_body(body, ctype)
    assert b.kind is BodyKind.TEXT
    assert b.value == body.decode()
    assert b.error == "nesting deeper than 64"


def test_unclosed_deep_json_is_an_error_not_a_crash() -> None:
    b = request_body(b"[" * 100_000, "application/json")
    assert b.kind is BodyKind.TEXT
    assert b.error is not None


def test_a_payload_nested_past_the_cap_is_still_scanned_as_text() -> None:
    payload = "1' UNION SELECT password FROM users--"
    body = ("[" * 70 + json.dumps(payload) + "]" * 70).encode()
    b = request_body(body, "application/json")
    assert b.kind is BodyKind.TEXT and payload in b.value
    assert b.error == "nesting deeper than 64"


@pytest.mark.parametrize("ctype", ["application/json", None])
def test_json_at_depth_limit_parses(ctype: str | None) -> None:
    body = b'{"a": ' * 63 + b"[1]" + b"}" * 63
    b = request_body(body, ctype)
    assert b.kind is BodyKind.JSON
    assert b.error is None
    assert b.value is not None


def test_json_with_many_brackets_in_strings_is_not_deep() -> None:
    body = json.dumps({"s": "[" * 500, "items": [{"a": [1]} for _ in range(100)]}).encode()
    b = request_body(body, "application/json")
    assert b.error is None
    assert b.value["s"] == "[" * 500


def test_depth_limit_is_configurable() -> None:
    b = request_body(b"[[[1]]]", "application/json", limits=Limits(max_json_depth=2))
    assert b.value == "[[[1]]]"
    assert b.error == "nesting deeper than 2"


# --- caps -----------------------------------------------------------------------------------


def test_json_over_body_cap_is_truncated_and_not_parsed() -> None:
    body = json.dumps({"k": "v" * 2000}).encode()
    b = request_body(body, "application/json", limits=Limits(max_body_bytes=1000))
    assert b.kind is BodyKind.JSON
    assert b.value is None
    assert b.truncated
    assert b.size == len(body)
    assert b.error is not None and "over max_body_bytes 1000" in b.error


def test_text_over_body_cap_keeps_the_head() -> None:
    b = request_body(b"a" * 5000, "text/plain", limits=Limits(max_body_bytes=1000))
    assert b.kind is BodyKind.TEXT
    assert b.value == "a" * 1000
    assert b.truncated and b.size == 5000


def test_default_body_cap_is_one_mib() -> None:
    body = b"x" * ((1 << 20) + 1)
    b = request_body(body, "text/plain")
    assert b.truncated and len(b.value) == 1 << 20 and b.size == len(body)


def test_form_over_field_cap_is_cut_with_error() -> None:
    body = "&".join(f"f{i}=v" for i in range(20)).encode()
    b = request_body(body, "application/x-www-form-urlencoded", limits=Limits(max_form_fields=5))
    assert list(b.value) == ["f0", "f1", "f2", "f3", "f4"]
    assert b.error == "more than 5 form fields; rest dropped"


# --- multipart ------------------------------------------------------------------------------


def multipart(boundary: str, parts: list[tuple[str, bytes]], close: bool = True) -> bytes:
    out = b"preamble\r\n"
    for head, content in parts:
        out += f"--{boundary}\r\n{head}\r\n\r\n".encode() + content + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return out


MP_PARTS = [
    ('Content-Disposition: form-data; name="user"', b"alice"),
    ('Content-Disposition: form-data; name="tag"', b"a"),
    ('Content-Disposition: form-data; name="tag"', b"b"),
    (
        'content-disposition: form-data; name="note"\r\nContent-Type: text/plain; charset=utf-8',
        b"caf\xc3\xa9",
    ),
    (
        'Content-Disposition: form-data; name="avatar"; filename="me.png"\r\nContent-Type: image/png',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00",
    ),
    ('Content-Disposition: form-data; name="doc"; filename="../../etc/passwd"', b"text file"),
    ('Content-Disposition: form-data; name="blob"\r\nContent-Type: application/octet-stream', b"\x01\x02"),
    ('Content-Disposition: form-data; name="nul"', b"a\x00b"),
    ('Content-Disposition: form-data; name="j"\r\nContent-Type: application/json', b'{"a": 1}'),
    ('Content-Disposition: form-data; name="multi"', b"line1\r\nline2"),
]
MP_FIELDS = {
    "user": ["alice"],
    "tag": ["a", "b"],
    "note": ["café"],
    "avatar": ["<file me.png, 11 bytes>"],
    "doc": ["<file ../../etc/passwd, 9 bytes>"],
    "blob": ["<file , 2 bytes>"],
    "nul": ["<file , 3 bytes>"],
    "j": ['{"a": 1}'],
    "multi": ["line1\r\nline2"],
}


@pytest.mark.parametrize(
    "ctype",
    [
        "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
        'multipart/form-data; boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW"',
        "multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
    ],
)
def test_multipart_fields_and_file_placeholders(ctype: str) -> None:
    body = multipart("----WebKitFormBoundary7MA4YWxkTrZu0gW", MP_PARTS)
    b = request_body(body, ctype)
    assert b.kind is BodyKind.MULTIPART
    assert b.media_type == "multipart/form-data"
    assert b.value == MP_FIELDS
    assert b.error is None


def test_multipart_boundary_sniffed_when_missing() -> None:
    body = multipart("xyz", MP_PARTS[:1])[len(b"preamble\r\n") :]
    b = request_body(body, "multipart/form-data")
    assert b.value == {"user": ["alice"]}


def test_multipart_without_boundary_falls_back_to_sniffing() -> None:
    b = request_body(b"user=alice", "multipart/form-data")
    assert b.kind is BodyKind.TEXT
    assert b.error == "multipart body without boundary"


def test_multipart_without_closing_boundary_is_noted() -> None:
    b = request_body(multipart("B", MP_PARTS[:2], close=False), "multipart/form-data; boundary=B")
    assert b.value == {"user": ["alice"], "tag": ["a"]}
    assert b.error == "multipart body without closing boundary"


def test_multipart_filename_star() -> None:
    head = "Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''na%C3%AFve.txt"
    b = request_body(multipart("B", [(head, b"x")]), "multipart/form-data; boundary=B")
    assert b.value == {"f": ["<file naïve.txt, 1 bytes>"]}


def test_multipart_over_field_cap_is_cut() -> None:
    parts = [(f'Content-Disposition: form-data; name="f{i}"', b"v") for i in range(10)]
    b = request_body(multipart("B", parts), "multipart/form-data; boundary=B", limits=Limits(max_form_fields=3))
    assert list(b.value) == ["f0", "f1", "f2"]
    assert b.error == "more than 3 multipart fields; rest dropped"


def test_response_body_uses_response_headers() -> None:
    tx = make_tx(
        headers=(("content-type", "application/json"),),
        body=b"{}",
        response_headers=(("Content-Type", "text/plain"), ("Content-Encoding", "gzip")),
        response_body=gzip.compress(b"ok"),
    )
    ex = normalize(tx)
    assert ex.request_body.kind is BodyKind.JSON
    assert ex.response_body.kind is BodyKind.TEXT and ex.response_body.value == "ok"


# --- never raises ---------------------------------------------------------------------------

CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-16",
        "application/problem+json",
        "application/xml",
        "text/xml; charset=utf-32",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data; boundary=B",
        "multipart/form-data",
        "multipart/mixed; boundary=",
        "text/plain",
        "text/plain; charset=idna",
        "text/plain; charset=undefined",
        "text/html; charset=unicode_escape",
        "text/plain; charset=utf-7",
        "image/png",
        "application/octet-stream",
        "",
        ";;;",
        'a/b; charset="\\"',
    ]
)
ENCODINGS = st.sampled_from(["", "gzip", "deflate", "br", "gzip, br", "zstd", "identity", ",", "br, br"])
TEXTS = st.text(max_size=60)
HEADER_NAMES = st.sampled_from(["content-type", "content-encoding", "cookie", "x-request-id", "Cookie", "X"])


def _bodies() -> st.SearchStrategy[bytes]:
    raw = st.binary(max_size=300)
    structured = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXTS, kids, max_size=4),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode())
    compressed = (raw | structured).flatmap(
        lambda b: st.sampled_from([gzip.compress(b), zlib.compress(b), brotli.compress(b), b])
    )
    multipart_body = st.lists(st.tuples(TEXTS, st.binary(max_size=40)), max_size=4).map(
        lambda ps: b"".join(b"--B\r\n" + h.encode() + b"\r\n\r\n" + c + b"\r\n" for h, c in ps) + b"--B--"
    )
    return raw | structured | compressed | multipart_body


@st.composite
def transactions(draw: st.DrawFn) -> Transaction:
    def headers() -> tuple[tuple[str, str], ...]:
        fixed = [("content-type", draw(CONTENT_TYPES | TEXTS)), ("content-encoding", draw(ENCODINGS | TEXTS))]
        extra = draw(st.lists(st.tuples(HEADER_NAMES | TEXTS, TEXTS), max_size=4))
        return tuple(draw(st.permutations(fixed + extra)))

    return Transaction(
        seq=draw(st.integers(min_value=0)),
        source="hypothesis",
        method=draw(st.sampled_from(["GET", "POST", "weird"])),
        scheme="https",
        host=draw(TEXTS),
        path=draw(TEXTS | st.text(alphabet="/%2Ffa0Z+.", max_size=40)),
        query=draw(TEXTS | st.text(alphabet="&=%+;aZ0f", max_size=40)),
        request_headers=headers(),
        request_body=draw(_bodies()),
        response_headers=headers(),
        response_body=draw(_bodies()),
    )


SMALL_LIMITS = Limits(
    max_body_bytes=64, max_decompressed_bytes=128, max_json_depth=3, max_form_fields=3, max_header_bytes=32
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tx=transactions(), small=st.booleans())
def test_normalize_never_raises(tx: Transaction, small: bool) -> None:
    ex = normalize(tx, SMALL_LIMITS if small else DEFAULT_LIMITS)
    for body in (ex.request_body, ex.response_body):
        assert body.error is None or not body.error.startswith("internal error"), body.error
        if body.kind is BodyKind.BINARY:
            assert body.value is None
        if body.kind in (BodyKind.FORM, BodyKind.MULTIPART):
            assert all(isinstance(v, str) for vs in body.value.values() for v in vs)
    assert all("/" not in s or "%" in tx.path for s in ex.segments)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2000), encoding=ENCODINGS, ctype=CONTENT_TYPES)
def test_arbitrary_bytes_never_raise(body: bytes, encoding: str, ctype: str) -> None:
    b = request_body(body, ctype, encoding)
    assert b.error is None or not b.error.startswith("internal error"), b.error
