from __future__ import annotations

import pytest

from tracehound.detectors._roles import Role, expects_url, field_name, includes_files, role_of


@pytest.mark.parametrize(
    ("location", "name"),
    [
        ("request.body.items[].imageUrl", "imageurl"),
        ("request.query._CONF[path]", "path"),
        ("request.body.password.$gt", "$gt"),
        ("request.path.#2", ""),
        ("request.body", ""),
        ("request.cookie.session", "session"),
    ],
)
def test_field_name_is_the_last_key(location, name):
    assert field_name(location) == name


@pytest.mark.parametrize(
    "location",
    [
        "request.body.password",
        "request.body.new_password",
        "request.body.List[].typeTL.password",
        "request.body.client_secret",
        "request.body.message",
        "request.body.giftMessage",
        "request.query.q",
        "request.body.description",
        "request.header.authorization",
    ],
)
def test_passwords_prose_and_credentials_are_free_form(location):
    assert role_of(location) is Role.FREE


@pytest.mark.parametrize(
    "location",
    ["request.query.id", "request.body.status", "request.path.#1", "request.header.user-agent", "request.query.page"],
)
def test_ids_enums_and_paths_are_plain(location):
    assert role_of(location) is Role.PLAIN


@pytest.mark.parametrize(
    ("location", "url", "include"),
    [
        ("request.body.callbackUrl", True, False),
        ("request.body.target.url", True, False),
        ("request.body.urls[].href", True, False),
        ("request.body.logo", True, False),
        ("request.query.page", False, True),
        ("request.query.mosConfig_absolute_path", False, True),
        ("request.query.template", False, True),
        ("request.query.templateUrl", True, False),
        ("request.query.x", False, False),
    ],
)
def test_url_and_include_style_fields(location, url, include):
    assert expects_url(location) is url
    assert includes_files(location) is include
