from __future__ import annotations

import base64
import json

import pytest

from classifiers._helpers import types_of


def _b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64({'sub': '42', 'iat': 1767600000})}.c2lnbmF0dXJlX2J5dGVz"
NOT_JWT = f"{_b64({'typ': 'JWT'})}.{_b64({'sub': '42'})}.c2ln"  # no "alg"


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.access_token", JWT),
        ("request.query.token", JWT),
        ("response.body.message", f"use {JWT} to log in"),
    ],
)
def test_recognises_jwts_by_decodable_header(location: str, value: str) -> None:
    assert "jwt" in types_of(location, value)


@pytest.mark.parametrize("value", [NOT_JWT, "eyJhbGciOi.broken.value", "eyJ.x.y", "a.b.c"])
def test_rejects_jwt_lookalikes(value: str) -> None:
    assert "jwt" not in types_of("response.body.token", value)


def test_jwt_value_is_not_also_an_api_key() -> None:
    assert types_of("response.body.accessToken", JWT) == {"jwt"}


def test_opaque_bearer_header_is_a_bearer_token() -> None:
    assert types_of("request.header.authorization", "Bearer aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6") == {"bearer_token"}


@pytest.mark.parametrize(
    "value",
    [
        "Bearer aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6, Bearer zY9xW8vU7tS6rQ5pO4nM3lK2",
        "Basic dXNlcjpwYXNz, Bearer aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6",
    ],
)
def test_repeated_authorization_headers_joined_by_comma(value: str) -> None:
    # Two Authorization headers (two security schemes) reach the classifier joined with ", ".
    assert "bearer_token" in types_of("request.header.authorization", value)


def test_bearer_jwt_is_both_bearer_token_and_jwt() -> None:
    assert types_of("request.header.authorization", f"Bearer {JWT}") == {"bearer_token", "jwt"}


@pytest.mark.parametrize("value", ["Bearer", "Bearer null", "Bearer undefined", "Bearer abc"])
def test_rejects_empty_bearer_values(value: str) -> None:
    assert "bearer_token" not in types_of("request.header.authorization", value)
