from __future__ import annotations

import pytest

from classifiers._helpers import types_of


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.lastLogin.from", "79.128.216.204"),
        ("response.body.client", "2001:4860:4860::8888"),
        ("response.body.clientIp", "10.1.2.3"),
        ("request.header.x-real-ip", "203.0.113.9"),
    ],
)
def test_recognises_ip_addresses(location: str, value: str) -> None:
    assert "ip_address" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.host", "127.0.0.1"),
        ("response.body.bind", "0.0.0.0"),
        ("response.body.version", "1.2.3.4"),
        ("response.body.x", "999.1.1.1"),
        ("response.body.time", "12:30:45"),
        ("response.body.mac", "aa:bb:cc:dd:ee:ff"),
        ("response.body.ip", "unknown"),
    ],
)
def test_rejects_non_addresses(location: str, value: str) -> None:
    assert "ip_address" not in types_of(location, value)
