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
