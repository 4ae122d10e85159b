from __future__ import annotations

import datetime as dt

import pytest

from classifiers._helpers import engine, types_of
from tracehound.classifiers.engine import MIN_MEAN_CONFIDENCE


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.firstName", "Miranda"),
        ("response.body.user.last_name", "Benitez"),
        ("response.body.customer.name", "Terri Benitez"),
        ("response.body.fullName", "Dr. Edwin Medina MD"),
        ("request.body.billingFirstName", "Zoë"),
        ("response.body.displayName", "Mary-Jane O'Neil"),
    ],
)
def test_recognises_names_under_name_keys(location: str, value: str) -> None:
    assert "person_name" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.name", "Terri Benitez"),  # product, company, project…: no person context
        ("response.body.firstName", "neural-net"),
        ("response.body.lastName", "Multi-layered client-server neural-net"),
        ("response.body.fullName", "R2D2 Unit 7"),
        ("response.body.username", "Terri Benitez"),
        ("response.body.title", "Senior Engineer"),
    ],
)
def test_rejects_names_without_context_or_shape(location: str, value: str) -> None:
    assert "person_name" not in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.dob", "1977-01-30"),
        ("response.body.dateOfBirth", "01/30/1977"),
        ("request.body.birth_date", "30.01.1977"),
        ("response.body.person.birthday", "1955-05-11T00:00:00Z"),
    ],
)
def test_recognises_birth_dates(location: str, value: str) -> None:
    assert "date_of_birth" in types_of(location, value)


def _future() -> str:
    return (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.created_at", "1977-01-30"),
        ("response.body.updatedAt", "2024-01-05T10:00:00Z"),
        ("response.body.dob", "1850-01-01"),
        ("response.body.dob", "not a date"),
        ("response.body.dob", "2023-02-30"),
        ("response.body.placeOfBirth", "1977-01-30"),
    ],
)
def test_rejects_dates_that_are_not_birth_dates(location: str, value: str) -> None:
    assert "date_of_birth" not in types_of(location, value)


def test_rejects_birth_dates_in_the_future() -> None:
    assert "date_of_birth" not in types_of("response.body.dob", _future())


def _years_ago(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def _confidence(location: str, value: str) -> float:
    return max((h.confidence for h in engine().classify([(location, value)]) if h.type == "date_of_birth"), default=0)


def test_explicit_birth_keys_accept_children() -> None:
    assert _confidence("response.body.child.dateOfBirth", _years_ago(3)) >= 0.9
    assert _confidence("response.body.patientDob", _years_ago(1)) >= 0.9


def test_loose_birth_keys_need_an_age_of_thirteen_for_full_confidence() -> None:
    """`born: 2024-…` is more often when a record came to be; `born: 1980-…` is a person."""
    assert _confidence("response.body.attributes.born", _years_ago(40)) >= 0.9
    assert _confidence("response.body.birthInfo", _years_ago(20)) >= 0.9
    recent = _confidence("response.body.attributes.born", _years_ago(3))
    assert 0 < recent < MIN_MEAN_CONFIDENCE


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.address", "714 Kristen Tunnel Suite 542"),
        ("response.body.address.street", "3351 Davis Terrace"),
        ("request.body.shipping_address.line1", "10 Downing Street"),
        ("response.body.billingAddress", "Apt. 5, 221B Baker Street"),
        ("response.body.addressLine2", "Suite 100"),
    ],
)
def test_recognises_street_addresses(location: str, value: str) -> None:
    assert "street_address" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.emailAddress", "john@example.com"),
        ("response.body.ipAddress", "79.128.216.204"),
        ("response.body.walletAddress", "0x52908400098527886E0F7030069857D2E4169EE7"),
        ("response.body.address", "pending"),
        ("response.body.description", "714 Kristen Tunnel Suite 542"),
        ("response.body.macAddress", "aa:bb:cc:dd:ee:ff"),
    ],
)
def test_rejects_non_street_addresses(location: str, value: str) -> None:
    assert "street_address" not in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.zip", "08753"),
        ("response.body.zipCode", "94105-1234"),
        ("response.body.address.postcode", "SW1A 1AA"),
        ("request.body.postal_code", "K1A 0B1"),
        ("request.body.zip", 94105),
    ],
)
def test_recognises_postal_codes_under_postal_keys(location: str, value: object) -> None:
    assert "postal_code" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.zip", "abc def ghi jkl"),
        ("response.body.zip", "true"),
        ("response.body.zip", "1234567890123"),
        ("response.body.count", "08753"),
    ],
)
def test_rejects_contradicting_postal_values(location: str, value: str) -> None:
    assert "postal_code" not in types_of(location, value)
