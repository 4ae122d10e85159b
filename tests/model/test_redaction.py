from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.model.redaction import (
    digest,
    mask,
    names_a_secret,
    redact_text,
    tag_key,
    tags_for_tenant,
    use_installation_key,
)
from tracehound.model.vocab import SensitiveType as T

SECRET_TYPES = [T.JWT, T.BEARER_TOKEN, T.PASSWORD, T.API_KEY, T.AWS_ACCESS_KEY, T.PRIVATE_KEY]


@pytest.mark.parametrize(
    ("type", "value", "masked"),
    [
        (T.CREDIT_CARD, "4111111111111111", "4111********1111"),
        (T.CREDIT_CARD, "4111 1111 1111 1111", "4111********1111"),
        (T.CREDIT_CARD, "378282246310005", "3782*******0005"),
        (T.EMAIL, "john.doe@example.com", "j***@example.com"),
        (T.US_SSN, "173-65-3719", "***-**-3719"),
        (T.PHONE_NUMBER, "(591)341-7776", "(***)***-7776"),
        (T.IBAN, "GB82WEST12345698765432", "******************5432"),
        (T.PERSON_NAME, "Miranda Chan", "M***"),
        (T.STREET_ADDRESS, "714 Kristen Tunnel", "7***"),
        (T.IP_ADDRESS, "79.128.216.204", "79.***"),
        (T.IP_ADDRESS, "2001:db8::1", "2001:***"),
        (T.POSTAL_CODE, "08753", "08***"),
        (T.DATE_OF_BIRTH, "1977-01-30", "****-**-30"),
        (T.PASSPORT_NUMBER, "M22519961", "*******61"),
        (T.EMAIL, "", ""),
    ],
)
def test_masked_forms(type: T, value: str, masked: str) -> None:
    assert mask(type, value) == masked


@pytest.mark.parametrize("type", SECRET_TYPES)
def test_secrets_become_a_type_tag_and_hash_prefix(type: T) -> None:
    value = "s3cr3t-Value-0123456789"
    out = mask(type, value)
    assert out == f"<{type.value}:{digest(value)}>"
    assert len(digest(value)) == 8 and value not in out


def test_keyed_digest_differs_from_plain_sha256() -> None:
    assert mask(T.PASSWORD, "hunter22", key=b"install-secret") != mask(T.PASSWORD, "hunter22")


@pytest.mark.parametrize("type", [*SECRET_TYPES, "employee_id"])
@pytest.mark.parametrize("value", ["1234", "0000", "a1b2c3d", "hunter2"])
def test_short_secrets_get_no_digest(type: T | str, value: str) -> None:
    # A 4-digit PIN has 10,000 values: whoever holds the tag key would match any digest of it.
    use_installation_key(b"k" * 32)
    assert mask(type, value) == f"<{type}:short>"


def test_short_secrets_in_free_text_get_no_digest() -> None:
    out = redact_text("pin=4821&password=hunter2&token=s3cr3t-Value-0123")
    assert out.startswith("pin=<secret:short>&password=<secret:short>&token=<secret:")
    assert "<secret:short>" not in out.rpartition("&")[2]


def test_tags_are_keyed_per_tenant_and_stable_within_one() -> None:
    value = "s3cr3t-Value-0123456789"
    use_installation_key(b"k" * 32)
    default = mask(T.PASSWORD, value)
    with tags_for_tenant("acme"):
        acme = mask(T.PASSWORD, value)
        acme_text = redact_text(f"password={value}")
        with tags_for_tenant("globex"):
            globex = mask(T.PASSWORD, value)
        assert mask(T.PASSWORD, value) == acme
    with tags_for_tenant("default"):
        assert mask(T.PASSWORD, value) == default
    with tags_for_tenant("acme"):
        assert mask(T.PASSWORD, value) == acme and redact_text(f"password={value}") == acme_text
    assert len({default, acme, globex}) == 3
    assert digest(value) not in acme_text
    # Derived from the installation key, never the installation key itself.
    assert mask(T.PASSWORD, value, key=b"k" * 32) not in (default, acme, globex)
    use_installation_key(b"k" * 32, "acme")
    assert mask(T.PASSWORD, value) == acme and tag_key() != b"k" * 32


def test_another_installation_gives_other_tags_for_the_same_tenant() -> None:
    value = "s3cr3t-Value-0123456789"
    use_installation_key(b"k" * 32)
    with tags_for_tenant("acme"):
        first = mask(T.PASSWORD, value)
    use_installation_key(b"j" * 32)
    with tags_for_tenant("acme"):
        assert mask(T.PASSWORD, value) != first


@pytest.mark.parametrize("name", ["pin", "cardPin", "card_cvv", "cvv2", "otpCode", "one_time_password", "securityCode"])
def test_code_names_are_secret_names(name: str) -> None:
    assert names_a_secret(name)


@pytest.mark.parametrize("name", ["shipping", "mapping", "opinion", "pinned", "topic", "spin", "pincode"])
def test_words_holding_pin_or_otp_are_not_secret_names(name: str) -> None:
    assert not names_a_secret(name)


def test_unknown_custom_types_are_hashed() -> None:
    assert mask("employee_id", "EMP-123456").startswith("<employee_id:")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(T)), st.text(min_size=6, max_size=60))
def test_mask_never_returns_a_long_value_unchanged(type: T, value: str) -> None:
    out = mask(type, value)
    assert out != value or not any(c.isalnum() for c in value)


PLANTED = {
    "4111 1111 1111 1111": "4111********1111",
    "john.doe@example.com": "j***@example.com",
    "173-65-3719": "***-**-3719",
    "AKIAIOSFODNN7EXAMPLE": "<aws_access_key:",
    "GB82WEST12345698765432": "******************5432",
    "Bearer aB3dE6gH9jK2mN5pQ8sT": "<bearer_token:",
    "(591)341-7776": "(***)***-7776",
    "79.128.216.204": "79.***",
}


@pytest.mark.parametrize(("value", "fragment"), PLANTED.items())
def test_redact_text_masks_planted_values(value: str, fragment: str) -> None:
    out = redact_text(f"evidence: id=7 value {value} end")
    assert value not in out and fragment in out
    assert out.startswith("evidence: id=7 value ") and out.endswith(" end")


@pytest.mark.parametrize(
    "text",
    [
        "password=hunter22&user=bob",
        '{"api_key": "abcd1234efgh"}',
        "access_token=abcdefgh123",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----",
    ],
)
def test_redact_text_masks_secrets(text: str) -> None:
    out = redact_text(text)
    for secret in ("hunter22", "abcd1234efgh", "abcdefgh123", "c2lnbmF0dXJl", "MIIBVQIBADAN"):
        assert secret not in out


@pytest.mark.parametrize(
    "text",
    [
        "GET /users/42?expand=1' OR '1'='1",
        "id 3f2a1b4c-1234-4abc-8def-0123456789ab at 2026-01-05T09:00:00Z",
        "amount 1234.56 order 100045678912 at 12:30:45",
        "<script>alert(1)</script>",
    ],
)
def test_redact_text_leaves_non_sensitive_text_alone(text: str) -> None:
    assert redact_text(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_redact_text_never_raises(text: str) -> None:
    assert isinstance(redact_text(text), str)
