"""Anonymous 2xx on an authenticated endpoint, and where its credential normally travels."""

from __future__ import annotations

import pytest
from behaviour_traffic import Traffic, observe, user_token

from tracehound.detectors.broken_authentication import MIN_AUTHENTICATED, credential_location
from tracehound.pipeline.behaviour import BehaviourEngine


@pytest.mark.parametrize(
    ("schemes", "location"),
    [
        ({}, "request.header.authorization"),
        ({"jwt": 5}, "request.header.authorization"),
        ({"api_key:header:x-api-key": 9, "jwt": 1}, "request.header.x-api-key"),
        ({"api_key:query:key": 3}, "request.query.key"),
        ({"session_cookie:sid": 3}, "request.cookie.sid"),
    ],
)
def test_credential_location(schemes, location):
    assert credential_location(schemes) == location


def _detected(method: str, path: str, authenticated: int) -> bool:
    engine = BehaviourEngine(disabled=("security_misconfiguration",))
    t = Traffic()
    for i in range(authenticated):
        observe(engine, t.add(method, path, token=user_token(f"u{i}")))
    return any(d.type.value == "broken_authentication" for d in observe(engine, t.add(method, path)))


def test_needs_enough_authenticated_traffic():
    assert _detected("GET", "/api/account", MIN_AUTHENTICATED)
    assert not _detected("GET", "/api/account", MIN_AUTHENTICATED - 1)


def test_preflights_and_logins_are_public_by_design():
    assert not _detected("OPTIONS", "/api/account", 40)
    assert not _detected("POST", "/api/login", 40)


def test_cookie_sessions_do_not_make_an_endpoint_protected():
    engine = BehaviourEngine(disabled=("security_misconfiguration",))
    t = Traffic()
    for i in range(40):
        observe(engine, t.add("GET", "/shop/index", headers=[("cookie", f"JSESSIONID=S{i:030d}")]))
    assert observe(engine, t.add("GET", "/shop/index")) == []
