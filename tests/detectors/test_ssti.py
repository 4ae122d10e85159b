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


PLACEHOLDERS = [
    ("{{password}}", "request.body.password.value"),
    ("{{groupId}}", "request.body.groupIds[]"),
    ("isaac@{{email-suffix}}", "request.body.profile.login"),
    ("Sample Collection {{$randomInt}}", "request.body.collection.info.name"),
    ("${HOME}/data", "request.query.x"),
    ("#{id}", "request.query.x"),
]
EXPRESSIONS = [
    ("{{7*7}}", "request.query.x"),
    ("{{config.items()}}", "request.query.x"),
    ("{{user.name}}", "request.query.x"),
    ("{{x}} and {{x|attr('a')}}", "request.query.x"),
    ("${T(java.lang.Runtime)}", "request.query.x"),
    ("<%= 7*7 %>", "request.body.message"),
]


@pytest.mark.parametrize(("value", "location"), PLACEHOLDERS)
def test_placeholders_of_plain_names_are_not_ssti(scan, value, location):
    assert "ssti" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), EXPRESSIONS)
def test_template_expressions_still_fire(scan, value, location):
    assert "ssti" in scan(value, location)
