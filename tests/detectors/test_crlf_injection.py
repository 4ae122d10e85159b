from __future__ import annotations

import pytest

ATTACKS = [
    "foo%0d%0aSet-Cookie:%20a=b",
    "x\r\nLocation: http://evil.example",
    "a%0d%0a%0d%0aHTTP/1.1 200 OK",
    "GET http://evil.example HTTP/1.1",
]
BENIGN = ["hello world", "line one", "GET me a coffee"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_crlf_injection(scan, value):
    assert "crlf_injection" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "crlf_injection" not in scan(value)


def test_trailing_newline_of_base64_header_is_not_injection(scan):
    assert "crlf_injection" not in scan('"QXJ0aWZhY3QgbmFtZQo="', "request.header.x-registry-name-encoded")


@pytest.mark.parametrize("value", ["a%0d%0aSet-Cookie:x=1", "a%0ab", "x\r\nX-Injected: 1"])
def test_newline_with_something_after_it_still_fires(scan, value):
    assert "crlf_injection" in scan(value, "request.query.x")


def test_multi_line_search_text_is_not_a_header(scan):
    assert "crlf_injection" not in scan("api @blake #support in:open\norder:latest_topic", "request.query.q")


def test_known_header_after_newline_still_fires_in_search_text(scan):
    assert "crlf_injection" in scan("x\r\nSet-Cookie: a=1", "request.query.q")
