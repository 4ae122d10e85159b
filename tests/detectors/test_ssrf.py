from __future__ import annotations

import pytest

ATTACKS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://127.0.0.1:8080/admin",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
    "gopher://localhost:6379/_INFO",
    "dict://127.0.0.1:11211/stat",
    "http://localhost/",
    "http://100.100.100.200/latest/meta-data",
    "http://10.0.0.5/internal",
]
BENIGN = [
    "https://www.example.com/",
    "http://203.0.113.10/",
    "https://github.com/org/repo",
    "version 10.0.0",
    "1.2.3.4.5",
    "call me at 2130706433",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_ssrf(scan, value):
    assert "ssrf" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "ssrf" not in scan(value)


# Bare integers: only when they decode into loopback/private/link-local, outside 0.0.0.0/8, in a
# field that holds a host or URL or with a port/path, and never in a path segment.
INTEGERS_BENIGN = [
    ("12549145", "request.path.#2"),
    ("168219526", "request.path.#1"),
    ("10004923", "request.query.au"),
    ("12549145", "request.query.url"),
    ("2143792764", "request.body.mobile"),
    ("2147483647", "request.body.processor_id"),
    ("168219526", "request.query.id"),
    ("127.0.0.1", "request.path.#3"),
]
INTEGERS_ATTACK = [
    ("2130706433", "request.query.url"),
    ("2130706433", "request.body.host"),
    ("168219526", "request.body.target"),
    ("2130706433:8080/admin", "request.query.x"),
    ("2852039166/latest/meta-data", "request.query.x"),
    ("127.0.0.1", "request.query.x"),
    ("http://2130706433/", "request.query.x"),
    ("http://2130706433/", "request.path.#3"),
]


@pytest.mark.parametrize(("value", "location"), INTEGERS_BENIGN)
def test_integers_that_are_ids_are_not_addresses(scan, value, location):
    assert "ssrf" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), INTEGERS_ATTACK)
def test_integers_that_are_internal_addresses(scan, value, location):
    assert "ssrf" in scan(value, location)


@pytest.mark.parametrize("location", ["request.query.redirect_uri", "request.query.return_to", "request.query.next"])
def test_localhost_in_a_navigation_parameter_is_not_forgery(scan, location):
    assert "ssrf" not in scan("http://localhost:8080/oauth/callback", location)


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("http://169.254.169.254/latest/meta-data/", "request.query.redirect_uri"),
        ("http://localhost:8080/admin", "request.body.callbackUrl"),
        ("http://localhost:8080/admin", "request.body.webhook_url"),
    ],
)
def test_metadata_anywhere_and_localhost_in_fetched_urls_still_fire(scan, value, location):
    assert "ssrf" in scan(value, location)


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("127.0.0.1", "request.body.client_ip"),
        ("192.168.8.78", "request.header.psu-ip-address"),
        ("192.168.1.102", "request.body.ip"),
        ("10.0.0.0", "request.body.subnet"),
        ("rtsp://example.com/video", "request.body.source_url"),
    ],
)
def test_addresses_recorded_as_data_are_not_targets(scan, value, location):
    assert "ssrf" not in scan(value, location)


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("10.0.0.5", "request.body.host"),
        ("127.0.0.1:6379", "request.query.x"),
        ("gopher://10.0.0.5:6379/_", "request.body.ip"),
    ],
)
def test_bare_internal_targets_still_fire(scan, value, location):
    assert "ssrf" in scan(value, location)


def test_localhost_inside_a_json_document_field_is_content(scan):
    doc = '{\n  "openapi": "3.0.0",\n  "servers": [\n    {"url": "http://localhost:3000"}\n  ]\n}'
    assert "ssrf" not in scan(doc, "request.body.schema.schema")


def test_metadata_inside_a_json_document_still_fires(scan):
    doc = '{\n  "url": "http://169.254.169.254/latest/meta-data/"\n}'
    assert "ssrf" in scan(doc, "request.body.config")
