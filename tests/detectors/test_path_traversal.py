from __future__ import annotations

import pytest

ATTACKS = [
    "../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\\\..\\\\windows\\\\win.ini",
    "....//....//etc/shadow",
    "/var/www/../../etc/passwd",
    "..%c0%af..%c0%afetc",
]
BENIGN = ["/docs/a/b", "report.v1.2.pdf", "Wait... what?", "images/logo.png", "1..10"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_path_traversal(scan, value):
    assert "path_traversal" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "path_traversal" not in scan(value)


def test_json_key_named_env_is_not_a_dotenv_file(scan):
    assert "path_traversal" not in scan("take", "request.body.serviceDescriptors[].env")


def test_dotenv_in_a_value_still_fires(scan):
    assert "path_traversal" in scan("../../.env", "request.body.file")


def test_ellipsis_placeholder_is_not_traversal(scan):
    assert "path_traversal" not in scan("https://...", "request.body.picture_url")


@pytest.mark.parametrize("value", ["/var/www/..", "....//....//etc/hosts", "a/../../b"])
def test_dot_segments_still_fire(scan, value):
    assert "path_traversal" in scan(value, "request.query.x")
