"""Requests and endpoints classified as API calls, assets or pages (`analyzer.assets`)."""

from __future__ import annotations

import pytest

from tracehound.analyzer.assets import asset_summary, classify, extension_of, request_kind
from tracehound.model import Transaction
from tracehound.pipeline.normalize import normalize
from tracehound.pipeline.profile import fold
from tracehound.profiles.endpoint import EndpointProfile


def tx(path: str, ctype: str | None, body: bytes = b"x", method: str = "GET", request_body: bytes = b"") -> Transaction:
    headers = (("content-type", ctype),) if ctype is not None else ()
    return Transaction(
        seq=0,
        source="test",
        scheme="https",
        host="www.example.com",
        method=method,
        path=path,
        query="",
        request_headers=(("content-type", "application/json"),) if request_body else (),
        request_body=request_body,
        status=200,
        response_headers=headers,
        response_body=body,
    )


@pytest.mark.parametrize(
    ("path", "ctype", "body", "kind"),
    [
        ("/api/users/1", "application/json", b'{"id": 1}', "api"),
        ("/static/app.3f2a.js", "application/javascript", b"var a;", "asset/script"),
        ("/static/app.js", "text/plain", b"var a;", "asset/script"),  # generic type: the extension decides
        ("/static/app.3f2a.js.map", "application/json", b'{"version": 3}', "asset/source_map"),
        ("/s/site.css", "text/css; charset=utf-8", b"a{}", "asset/style"),
        ("/img/200@70.jpg", "image/jpeg", b"\xff\xd8\xff\xe0", "asset/image"),
        ("/img/logo.svg", "image/svg+xml", b"<svg/>", "asset/image"),
        ("/img/logo_272x92dp.png", None, b"", "asset/image"),  # a 304 without a body
        ("/f/inter.woff2", "application/octet-stream", b"wOF2\x00", "asset/font"),
        ("/v/clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftyp", "asset/media"),
        ("/", "text/html; charset=utf-8", b"<!doctype html>", "page/html"),
        ("/github-btn.html", None, b"", "page/html"),
        ("/page.html", "application/json", b"{}", "api"),  # the content type wins over the extension
        ("/download", "application/octet-stream", b"\x00\x01", "api"),  # nothing says asset
        ("/app.js.php", "text/html", b"<p>", "page/html"),
    ],
)
def test_request_kind(path: str, ctype: str | None, body: bytes, kind: str) -> None:
    assert request_kind(normalize(tx(path, ctype, body))) == kind


def test_a_request_with_a_body_is_an_api_call_whatever_it_answers() -> None:
    ex = normalize(tx("/login.html", "text/html", b"<p>", method="POST", request_body=b'{"u": 1}'))
    assert request_kind(ex) == "api"


def test_extension_of_ignores_long_or_unknown_suffixes() -> None:
    assert extension_of("app.JS") == "js"
    assert extension_of("report.json") is None
    assert extension_of("a.verylongext") is None
    assert extension_of("noext") is None


def profile_of(*transactions: Transaction) -> EndpointProfile:
    p = EndpointProfile()
    for t in transactions:
        ex = normalize(t)
        fold(p, ex, ex.segments)
    return p


def test_an_endpoint_is_the_kind_most_of_its_requests_were() -> None:
    api = [tx("/api/users/1", "application/json", b'{"id": 1}') for _ in range(3)]
    error_page = tx("/api/users/9", "text/html", b"<h1>Not found</h1>")
    assert classify(profile_of(*api, error_page)) == ("api", None)
    assert classify(
        profile_of(tx("/a.js", "text/javascript", b"x"), tx("/a.js.map", "application/json", b"{}"), tx("/b.js", None))
    ) == (
        "asset",
        "script",
    )
    # a tie is listed rather than hidden
    assert classify(profile_of(api[0], error_page)) == ("api", None)
    # a profile stored before kinds were counted stays an API
    assert classify(EndpointProfile(count=5)) == ("api", None)


def test_asset_summary_counts_requests_and_bytes_per_family() -> None:
    p = profile_of(tx("/a.js", "text/javascript", b"var a;"), tx("/a.js.map", "application/json", b"{}"))
    q = profile_of(tx("/b.js", "text/javascript", b"var bb;"))
    assert asset_summary([p, q]) == [
        {"kind": "asset", "family": "script", "endpoints": 2, "count": 2, "bytes": 13},
        {"kind": "asset", "family": "source_map", "endpoints": 1, "count": 1, "bytes": 2},
    ]


def test_profiles_merge_kinds_and_bytes() -> None:
    p = profile_of(tx("/a.css", "text/css", b"a{}"))
    p.merge(profile_of(tx("/a.css", "text/css", b"b{}")))
    assert p.kinds == {"asset/style": 2} and p.kind_bytes == {"asset/style": 6}
