"""JWT weaknesses: unsigned, guessable HMAC secrets, no expiry, long lifetimes."""

from __future__ import annotations

import pytest
from behaviour_traffic import T0, jwt

from tracehound.detectors.jwt_weakness import weaknesses
from tracehound.model import Severity

EXP = {"sub": "a", "iat": int(T0), "exp": int(T0) + 600}


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (jwt(EXP), []),
        (jwt(EXP, alg="none"), [Severity.CRITICAL]),
        (jwt(EXP, secret="your-256-bit-secret"), [Severity.CRITICAL]),
        (jwt(EXP, secret="changeme", alg="HS512"), [Severity.CRITICAL]),
        (jwt({"sub": "a"}), [Severity.MEDIUM]),
        (jwt({"sub": "a", "iat": 0, "exp": 90 * 86400}), [Severity.LOW]),
        (jwt({"sub": "a"}, secret="secret"), [Severity.MEDIUM, Severity.CRITICAL]),
        ("not.a.jwt", []),
        ("eyJ.eyJ.x", []),
        ("", []),
    ],
)
def test_weaknesses(token, expected):
    assert [severity for _, severity in weaknesses(token)] == expected


def test_reasons_never_contain_the_token_or_the_secret():
    token = jwt({"sub": "a"}, secret="secret")
    text = " ".join(reason for reason, _ in weaknesses(token))
    assert token not in text and "secret is in" in text and "'secret'" not in text
