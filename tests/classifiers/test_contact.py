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
