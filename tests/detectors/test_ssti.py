from __future__ import annotations

import pytest

ATTACKS = [
    "{{7*7}}",
    "${7*7}",
    "<%= 7*7 %>",
    "#{7*7}",
    "{{config.items()}}",
    "{{\x27\x27.__class__.__mro__[1].__subclasses__()}}",
    '<#assign ex="freemarker.template.utility.Execute"?new()>',
    '{{_self.env.registerUndefinedFilterCallback("exec")}}',
    "#set($x = 1)",
    "${T(java.lang.Runtime).getRuntime().exec(\x27id\x27)}",
]
BENIGN = ["price: $10", '{ "a": 1 }', "C# is fun", "100% sure", "#hashtag {nice}"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_ssti(scan, value):
    assert "ssti" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "ssti" not in scan(value)
