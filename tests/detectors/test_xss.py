from __future__ import annotations

import pytest

ATTACKS = [
    "<script>alert(1)</script>",
    "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "&lt;svg onload=alert(1)&gt;",
    "javascript:alert(document.cookie)",
    "ja&tab;vascript:alert(1)",
    '"><iframe src=javascript:alert(1)>',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    "+ADw-script+AD4-alert(1)",
]
BENIGN = ["a < b and c > d", "Tom & Jerry", "I <3 this product", "https://example.com/page?x=1", "2 > 1", "O'Brien"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_xss(scan, value):
    assert "xss" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "xss" not in scan(value)
