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


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("JavaScript: Basics of JavaScript Language", "request.query.city"),
        ("JavaScript:%20Basics%20of%20JavaScript%20Language", "request.body.note"),
        ("<default>", "request.body.id"),
    ],
)
def test_prose_and_placeholders_are_not_xss(scan, value, location):
    assert "xss" not in scan(value, location)


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("javascript:alert(1)", "request.query.x"),
        ("javascript://%0aalert(1)", "request.body.message"),
        ("javascript:void(0)", "request.query.x"),
        ('\\"autof<x>ocus o<x>nfocus=alert<x>(1)//', "request.body.comment"),
        ("XCJhdXRvZjx4Pm9jdXMgbzx4Pm5mb2N1cz1hbGVydDx4PigxKS8v", "request.path.#3"),
    ],
)
def test_script_urls_and_stripped_tag_evasions_still_fire(scan, value, location):
    assert "xss" in scan(value, location)
