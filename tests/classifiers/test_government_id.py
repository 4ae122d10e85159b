from __future__ import annotations

import pytest

from classifiers._helpers import types_of


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.taxpayer", "173-65-3719"),
        ("response.body.ssn", "173653719"),
        ("request.body.social_security_number", "013-99-3269"),
        ("request.body.ssn", 173653719),
    ],
)
def test_recognises_ssns(location: str, value: object) -> None:
    assert "us_ssn" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.x", "000-12-3456"),
        ("response.body.x", "666-12-3456"),
        ("response.body.x", "912-12-3456"),
        ("response.body.x", "123-00-4567"),
        ("response.body.x", "123-45-0000"),
        ("response.body.x", "078-05-1120"),
        ("response.body.id", "173653719"),  # nine bare digits without an SSN key
        ("response.body.ssn", "not-an-ssn"),
    ],
)
def test_rejects_invalid_or_unkeyed_ssns(location: str, value: str) -> None:
    assert "us_ssn" not in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.passportNumber", "M22519961"),
        ("response.body.passport", "104090161"),
        ("request.body.passport_no", "C01X00T47"),
    ],
)
def test_recognises_passports_under_a_passport_key(location: str, value: str) -> None:
    assert "passport_number" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.passport", "pending"),
        ("response.body.passportExpiry", "2030-01-01"),
        ("response.body.passportCountry", "US"),
        ("response.body.reference", "M22519961"),
    ],
)
def test_rejects_passport_metadata_and_unkeyed_values(location: str, value: str) -> None:
    assert "passport_number" not in types_of(location, value)
