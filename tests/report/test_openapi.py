"""OpenAPI documents reconstructed from traffic validate, whatever methods the traffic used."""

from __future__ import annotations

from openapi_spec_validator import validate

from tracehound.analyzer.inventory import build_inventory
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.report.openapi import OTHER_METHODS, openapi_document
from tracehound.store.base import EndpointKey


def document(*keys: tuple[str, str]) -> dict[str, object]:
    inventory = build_inventory({EndpointKey("t.example", m, p): EndpointProfile(count=3) for m, p in keys}, {})
    return openapi_document("t.example", inventory.services["t.example"])


def test_custom_methods_go_under_an_extension_and_the_document_validates() -> None:
    doc = document(
        ("GET", "/items"),
        ("TEST_METHOD_NOT_IN_SPEC", "/items"),
        ("PROPFIND", "/items"),
        ("PURGE", "/cache"),
    )
    validate(doc)
    paths = doc["paths"]
    assert isinstance(paths, dict)
    items = paths["/items"]
    assert set(items) == {"get", OTHER_METHODS}
    assert set(items[OTHER_METHODS]) == {"TEST_METHOD_NOT_IN_SPEC", "PROPFIND"}
    assert items[OTHER_METHODS]["PROPFIND"]["x-tracehound-count"] == 3
    assert set(paths["/cache"]) == {OTHER_METHODS}


def test_standard_methods_stay_operations_of_the_path_item() -> None:
    methods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
    doc = document(*((m, "/things") for m in methods))
    validate(doc)
    paths = doc["paths"]
    assert isinstance(paths, dict)
    assert set(paths["/things"]) == {m.lower() for m in methods}
