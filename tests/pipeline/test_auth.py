"""JWT parsing in the auth helpers never raises on a token nested too deeply (pipeline/auth.py)."""

from __future__ import annotations

import base64

import pytest

from tracehound.detectors.jwt_weakness import weaknesses
from tracehound.pipeline.auth import is_jwt, jwt_claims


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


HEADER = b64(b'{"alg": "HS256"}')


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_token_nested_too_deeply_is_no_jwt_and_has_no_claims(depth: int) -> None:
    deep = b"[" * depth + b"]" * depth
    deep_claims = HEADER + "." + b64(b'{"sub": ' + deep + b"}") + ".sig"
    deep_header = b64(b'{"alg": "HS256", "x": ' + deep + b"}") + "." + HEADER + ".sig"
    assert jwt_claims(deep_claims) is None
    assert not is_jwt(deep_header)
    assert weaknesses(deep_claims) == () and weaknesses(deep_header) == ()


def test_a_plain_token_still_parses() -> None:
    token = HEADER + "." + b64(b'{"sub": "42"}') + ".sig"
    assert is_jwt(token) and jwt_claims(token) == {"sub": "42"}
