from __future__ import annotations

import pytest

from classifiers._helpers import types_of


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.email", "john.doe@example.com"),
        ("response.body.contact", "j.doe+tag@mail.example.co.uk"),
        ("request.query.to", "mailto:ops@example.org"),
        ("request.path.#2", "alice@example.io"),
    ],
)
def test_recognises_emails_anywhere(location: str, value: str) -> None:
    assert "email" in types_of(location, value)


@pytest.mark.parametrize(
    "value",
    ["git@github.com:org/repo.git", "user@localhost", "@handle", "a@b", "not an email at all"],
)
def test_rejects_non_emails(value: str) -> None:
    assert "email" not in types_of("response.body.value", value)


@pytest.mark.parametrize(
    "value",
    ["(591)341-7776", "+1-780-563-6083x7783", "206.269.0743x9150", "+44 20 7946 0958", "415-555-0132"],
)
def test_recognises_formatted_phones_without_key(value: str) -> None:
    assert "phone_number" in types_of("response.body.contact", value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.phone", "5915550134"),
        ("response.body.mobileNumber", "07700900123"),
        ("response.body.phone", 4155550132),
    ],
)
def test_bare_digits_are_phones_only_under_a_phone_key(location: str, value: object) -> None:
    assert "phone_number" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.created", "1767600000"),  # epoch seconds
        ("response.body.id", "5915550134"),  # a bare 10-digit id
        ("response.body.amount", "1234.56"),
        ("response.body.created_at", "2024-01-05"),
        ("response.body.date", "05.01.2024"),
        ("response.body.version", "10.2.3.4"),
        ("response.body.ssn_like", "173-65-3719"),
        ("response.body.range", "1000-2000"),
        ("response.body.uuid", "3f2a1b4c-1234-4abc-8def-0123456789ab"),
        ("response.body.phone", "call me maybe"),
    ],
)
def test_hard_negatives_are_not_phones(location: str, value: str) -> None:
    assert "phone_number" not in types_of(location, value)


@pytest.mark.parametrize(
    "value",
    [
        "+1-202-555-0147",
        "(202) 555-0147",
        "202-555-0147",
        "202.555.0147",
        "202 555 0147",
        "1-202-555-0147",
        "001-202-555-0147x1234",
        "(202)555-0147x123",
        "+1-202-555-0147x12",
        "+44 20 7946 0958",
        "+49 30 901820",
        "+33 1 42 68 53 00",
        "+91 98765 43210",
        "07700 900123",  # UK mobile with its 0 trunk prefix
        "020 7946 0958",
        "0191 4960657",
        "(0161) 4960066",
        "01 42 68 53 00",
        "0044 20 7946 0958",  # 00 + country code
    ],
)
def test_phone_layouts_still_detected_without_key(value: str) -> None:
    assert "phone_number" in types_of("response.body.contact", value)


@pytest.mark.parametrize(
    "value",
    [
        "978-0-306-40615-7",  # ISBN-13, valid checksum
        "978 0 306 40615 7",
        "0-306-40615-2",  # ISBN-10, valid checksum
        "0 12345 67890 5",  # UPC-A / GTIN-12 human-readable grouping
        "0-12345-67890-5",
        "400-6381-333931",  # EAN-13
        "1 234 567 890",  # an amount grouped in thousands
        "12 345 678 901",
        "123 456 789 012",
        "2024-0115-0042",  # dated reference ids
        "2024 0115 0042",
        "1999-1234-5678",
        "00012-34567",  # zero-padded id, not a trunk prefix
        "100-200-3000",  # NANP area codes and exchanges never start with 0 or 1
    ],
)
def test_grouped_digits_outside_a_numbering_plan_are_not_phones(value: str) -> None:
    assert "phone_number" not in types_of("response.body.value", value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.phone", "202-555-0147"),
        ("response.body.mobile", "98765 43210"),  # no trunk prefix: only the key makes it a phone
        ("response.body.phoneNumber", "1 234 567 890"),
    ],
)
def test_phone_key_still_vouches_for_unusual_layouts(location: str, value: str) -> None:
    assert "phone_number" in types_of(location, value)


def test_every_formatted_faker_us_phone_is_detected() -> None:
    faker = pytest.importorskip("faker")
    fake = faker.Faker("en_US")
    fake.seed_instance(11)
    values = [v for v in (fake.phone_number() for _ in range(400)) if not v.isdigit()]
    missed = [v for v in values if "phone_number" not in types_of("response.body.contact", v)]
    assert values
    assert missed == []
