from __future__ import annotations

import pytest

ATTACKS = [
    '{"$ne": null}',
    "[$ne]1",
    "\x27; return true; var a=\x27",
    '{"$where": "sleep(5000)"}',
    "$where: this.password.match(/.*/)",
]
BENIGN = ["$10.99", "price is $5", "US$ 20", '{"name": "x"}']


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_nosqli(scan, value):
    assert "nosqli" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "nosqli" not in scan(value)


@pytest.mark.parametrize("location", ["request.query.user[$ne]", "request.body.user.$gt", "request.body.$where"])
def test_detects_operator_in_keys(scan, location):
    assert "nosqli" in scan("x", location)


def test_ignores_dollar_in_json_values(scan):
    assert "nosqli" not in scan("$19.99", "request.body.items[].price")
