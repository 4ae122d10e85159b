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


@pytest.mark.parametrize(
    "location", ["request.query.createdAt[$lte]", "request.query.createdAt[$gte]", "request.body.filter.price.$gt"]
)
def test_range_operators_on_data_fields_are_filters(scan, location):
    assert "nosqli" not in scan("2026-01-01T04:49:00Z", location)


@pytest.mark.parametrize(
    "location",
    ["request.query.login[$gt]", "request.body.password.$gt", "request.body.username[$lt]", "request.query.x[$ne]"],
)
def test_operators_on_credentials_and_ne_still_fire(scan, location):
    assert "nosqli" in scan("admin", location)


@pytest.mark.parametrize(
    "value",
    ["', $or: [ {}, { 'order':'order", ";var d = new Date(); do{c = new Date();}while(c-d<5000)"],
)
def test_operator_and_busy_loop_in_text(scan, value):
    assert "nosqli" in scan(value, "request.body.note")


def test_range_operator_object_on_a_data_field_is_a_filter(scan):
    assert "nosqli" not in scan('{"age":{"$gt":30}}', "request.query.where")


@pytest.mark.parametrize("value", ['{"username": {"$gt": ""}, "password": {"$gt": ""}}', '{"$gt":""}', '{"$ne": null}'])
def test_operator_objects_on_credentials_or_alone_still_fire(scan, value):
    assert "nosqli" in scan(value, "request.query.x")
