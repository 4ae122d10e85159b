from __future__ import annotations

import pytest

from conftest import detections

ATTACKS = [
    "php://filter/convert.base64-encode/resource=index.php",
    "expect://id",
    "data://text/plain;base64,PD9waHAgcGhwaW5mbygpOz8+",
    "http://203.0.113.7/shell.txt?",
    "file:///etc/passwd",
    "phar://upload/x.jpg",
    "https://evil.example/x.php?",
]
BENIGN = ["hello", "data science", "php is a language", "/files/report.pdf"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_file_inclusion(scan, value):
    assert "file_inclusion" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "file_inclusion" not in scan(value)


# A public URL is judged by the field it is in: normal where the name says "URL", inclusion where
# the parameter is include-style or says nothing about URLs (CRS 931130's off-domain reference).
URL_FIELDS_BENIGN = [
    ("https://perez.com/posts/blog/tag", "request.body.target.url"),
    ("https://hall.com/app", "request.body.urls[].href"),
    ("https://hooks.example.org/cb", "request.body.callbackUrl"),
    ("https://cdn.example.org/a.png", "request.body.image"),
    ("https://shop.example/account", "request.query.redirect_uri"),
    ("https://www.expressen.se/", "request.query.webhook"),
    ("https://schema.getpostman.com/json/collection/v2.1.0/collection.json", "request.body.info.schema"),
]
URL_FIELDS_ATTACK = [
    ("https://foo.bar", "request.query.x"),
    ("https://evilexample.com/", "request.query.x"),
    ("https://foo.bar", "request.query._CONF[path]"),
    ("https://foo.bar", "request.query.mosConfig_absolute_path"),
    ("http://evil.example/shell", "request.query.page"),
    ("http://evil.example/shell", "request.body.template"),
    ("http://evil.example/shell.txt?", "request.body.imageUrl"),
    ("http://evil.example/x.php", "request.body.imageUrl"),
    ("http://203.0.113.7/x", "request.body.callbackUrl"),
]


@pytest.mark.parametrize(("value", "location"), URL_FIELDS_BENIGN)
def test_public_url_in_a_url_field_is_normal(scan, value, location):
    assert "file_inclusion" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), URL_FIELDS_ATTACK)
def test_url_in_include_style_or_unrelated_field_or_with_inclusion_shape(scan, value, location):
    assert "file_inclusion" in scan(value, location)


@pytest.mark.parametrize(
    ("location", "severity"),
    [
        ("request.query.page", "high"),
        ("request.query.mosConfig_absolute_path", "high"),
        ("request.query.dl", "low"),
        ("request.query.x", "low"),
    ],
)
def test_plain_public_url_is_high_only_in_include_style_fields(location, severity):
    found = [d for d in detections("https://www.expressen.se/", location) if d.type.value == "file_inclusion"]
    assert [d.severity.value for d in found] == [severity]


def test_media_file_url_in_a_file_field_is_an_upload(scan):
    assert "file_inclusion" not in scan("https://cdn.api.video/vod/vi3N/captions/en.vtt", "request.body.file")


@pytest.mark.parametrize(
    "value", ["http://evil.example/shell.txt", "http://evil.example/x", "http://evil.example/a.php"]
)
def test_code_urls_in_a_file_field_still_fire_high(value):
    found = [d for d in detections(value, "request.body.file") if d.type.value == "file_inclusion"]
    assert [d.severity.value for d in found] == ["high"]
