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
