from __future__ import annotations

import pytest

from classifiers._helpers import types_of


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",  # amex
        "3782 822463 10005",
        "6011111111111117",  # discover
        "3530111333300000",  # jcb
        "30569309025904",  # diners
    ],
)
def test_recognises_cards_by_luhn_and_issuer(value: str) -> None:
    assert "credit_card" in types_of("response.body.payment", value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.id", "4111111111111112"),  # Luhn fails
        ("response.body.order_id", "1767600000123"),  # epoch millis, no issuer
        ("response.body.amount", "4111111111.11"),
        ("response.body.hash", "d41d8cd98f00b204e9800998ecf8427e"),
        ("response.body.uuid", "3f2a1b4c-1234-4abc-8def-0123456789ab"),
        ("response.body.snowflake", "1234567890123456789"),
        ("response.body.zeros", "0000000000000000"),
    ],
)
def test_ids_and_numbers_are_not_cards(location: str, value: str) -> None:
    assert "credit_card" not in types_of(location, value)


def test_card_key_accepts_json_numbers() -> None:
    assert "credit_card" in types_of("request.body.cardNumber", 4111111111111111)


def test_numbers_without_a_key_are_not_scanned() -> None:
    assert types_of("response.body.total", 4111111111111111) == set()


@pytest.mark.parametrize(
    "value", ["GB82WEST12345698765432", "DE89 3704 0044 0532 0130 00", "FR1420041010050500013M02606"]
)
def test_recognises_ibans_by_mod97(value: str) -> None:
    assert "iban" in types_of("response.body.account", value)


@pytest.mark.parametrize("value", ["GB82WEST12345698765433", "DE89370400440532013001", "XX00ABCD1234567890"])
def test_rejects_ibans_failing_checksum_or_length(value: str) -> None:
    assert "iban" not in types_of("response.body.iban", value)
