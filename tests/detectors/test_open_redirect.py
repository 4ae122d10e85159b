from __future__ import annotations

import msgspec
import pytest

from conftest import exchange
from tracehound.detectors.engine import SignatureEngine
from tracehound.model import Body, BodyKind

ENGINE = SignatureEngine()


def types(value: str, location: str = "request.query.next", body: BodyKind = BodyKind.FORM) -> set[str]:
    fields = [(location, value)]
    ex = msgspec.structs.replace(
        exchange(fields), service="shop.example.com", headers={"host": "shop.example.com"}, request_body=Body(kind=body)
    )
    return {d.type.value for d in ENGINE.inspect(ex, fields)}


ATTACKS = [
    ("//evil.example/login", "request.query.next"),
    ("///evil.example", "request.query.url"),
    ("/\\evil.example", "request.query.redirect"),
    ("\\/\\/evil.example", "request.query.returnTo"),
    ("%2f%2fevil.example", "request.query.continue"),
    ("https:evil.example", "request.query.dest"),
    ("@evil.example", "request.query.url"),
    ("QGdvb2dsZS5jb20=", "request.query.url"),  # "@google.com" in base64
    ("javascript:alert(document.domain)", "request.query.redirect_uri"),
    ("java%0d%0ascript%0d%0a:alert(0)", "request.body.url"),
    ("https://evil.example/phish", "request.query.redirect"),
    ("https://shop.example.com.evil.example/", "request.query.return_to"),
    ("https://shop.example.com@evil.example/", "request.body.next"),
    ("https://evil.example/", "request.query.goto"),
    ("//evil.example", "request.query.callback"),
    ("http://example.com@[::ffff:216.58.214.206]", "request.query.url"),
    ("aHR0cDovL2V4YW1wbGUuY29tQFs6OmZmZmY6MjE2LjU4LjIxNC4yMDZd", "request.body.url"),
]

BENIGN = [
    ("/account/orders", "request.query.next"),
    ("/", "request.query.returnTo"),
    ("https://shop.example.com/cart", "request.query.redirect"),
    ("https://www.example.com/cart", "request.query.return_to"),  # a sibling of the request's host
    ("https://login.shop.example.com/", "request.query.continue"),
    # OAuth clients register their callback on their own host; fetch/notify URLs are not navigation.
    ("https://client.example.org/cb", "request.query.redirect_uri"),
    ("https://www.example.org/page", "request.query.url"),
    ("https://hooks.example.org/notify", "request.query.callback"),
    ("https://evil.example/", "request.query.image"),
    ("//evil.example", "request.query.path"),
    ("orders", "request.query.next"),
    ("2", "request.query.r"),
    ("mailto:team@example.com", "request.query.url"),
]


@pytest.mark.parametrize(("value", "location"), ATTACKS)
def test_detects_open_redirect(value, location):
    assert "open_redirect" in types(value, location)


@pytest.mark.parametrize(("value", "location"), BENIGN)
def test_ignores_same_site_and_relative_targets(value, location):
    assert "open_redirect" not in types(value, location)


def test_json_bodies_are_not_navigation():
    assert "open_redirect" not in types("//evil.example", "request.body.next", body=BodyKind.JSON)


def test_path_segments_are_not_judged():
    assert "open_redirect" not in types("//evil.example", "request.path.#0")
