"""Read API authentication: missing, wrong and revoked keys get 401, a key of another role 403."""

from __future__ import annotations

import pytest
from read_api_helpers import Keys, TestClient, bearer

from tracehound.api.auth import bearer_token

ROUTES = [
    "/v1/services",
    "/v1/endpoints",
    "/v1/endpoints/abc",
    "/v1/findings",
    "/v1/stats",
    "/v1/services/x/openapi.json",
]


@pytest.mark.parametrize("route", ROUTES)
def test_a_missing_key_is_401_with_a_bearer_challenge(read_client: TestClient, keys: Keys, route: str) -> None:
    r = read_client.get(route)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"] == "unauthenticated"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer th_0123456789abcdef_" + "A" * 43,
        "Bearer not-a-key",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "",
    ],
)
def test_wrong_keys_are_401(read_client: TestClient, keys: Keys, header: str) -> None:
    r = read_client.get("/v1/endpoints", headers={"Authorization": header})
    assert r.status_code == 401


def test_a_tampered_secret_is_401(read_client: TestClient, keys: Keys) -> None:
    tampered = keys.read_a[:-2] + ("AA" if not keys.read_a.endswith("AA") else "BB")
    assert read_client.get("/v1/stats", headers=bearer(tampered)).status_code == 401


def test_a_revoked_key_is_401(read_client: TestClient, keys: Keys) -> None:
    r = read_client.get("/v1/stats", headers=bearer(keys.revoked_a))
    assert r.status_code == 401
    assert keys.revoked_a not in r.text


def test_an_ingest_key_is_403_on_the_read_api(read_client: TestClient, keys: Keys) -> None:
    r = read_client.get("/v1/endpoints", headers=bearer(keys.ingest_a))
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


@pytest.mark.parametrize("which", ["read_a", "admin_a"])
def test_read_and_admin_keys_are_let_in(read_client: TestClient, keys: Keys, which: str) -> None:
    assert read_client.get("/v1/stats", headers=bearer(getattr(keys, which))).status_code == 200


def test_auth_failures_are_counted_without_the_key(read_client: TestClient, keys: Keys) -> None:
    read_client.get("/v1/stats")
    read_client.get("/v1/stats", headers=bearer(keys.ingest_a))
    read_client.get("/v1/stats", headers=bearer(keys.revoked_a))
    text = read_client.get("/metrics").text
    assert 'tracehound_api_auth_failures_total{reason="missing"} 1.0' in text
    assert 'tracehound_api_auth_failures_total{reason="forbidden"} 1.0' in text
    assert 'tracehound_api_auth_failures_total{reason="invalid"} 1.0' in text
    assert keys.revoked_a not in text and keys.ingest_a not in text


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), (None, None), ("Bearer ", None)],
)
def test_bearer_token_parsing(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token
