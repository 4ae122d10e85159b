from __future__ import annotations

import base64

import pytest

from classifiers._helpers import types_of

PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
    "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.body.password", "KR8nIrkvy&"),
        ("request.body.newPassword", "correct horse battery staple"),
        ("request.body.user.pwd", "t88$Txq+^r"),
        ("request.query.password", "hunter22"),
        ("request.body.password_confirmation", "KR8nIrkvy&"),
    ],
)
def test_recognises_passwords_under_password_keys(location: str, value: str) -> None:
    assert "password" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.body.password", "true"),
        ("request.body.password", True),
        ("response.body.password", "********"),
        ("response.body.passwordExpiresAt", "2030-01-01T00:00:00Z"),
        ("response.body.passwordPolicy", "strong"),
        ("response.body.passwordLength", 12),
        ("response.body.pass", "boarding-A12"),
        ("request.body.comment", "KR8nIrkvy&"),
    ],
)
def test_rejects_password_metadata_and_placeholders(location: str, value: object) -> None:
    assert "password" not in types_of(location, value)


def test_basic_authorization_is_a_password() -> None:
    cred = base64.b64encode(b"alice:s3cret-pass").decode()
    assert types_of("request.header.authorization", f"Basic {cred}") == {"password"}


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.header.x-api-key", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.query.api_key", "key_Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.cookie.session", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.header.authorization", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.header.authorization", "Token Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.body.client_secret", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("response.body.data", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        ("request.header.x-portal", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sAq"),  # unhinted, strongly random
    ],
)
def test_recognises_api_keys(location: str, value: str) -> None:
    assert "api_key" in types_of(location, value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.header.x-request-id", "3f2a1b4c-1234-4abc-8def-0123456789ab"),
        ("request.header.x-idempotency-key", "3f2a1b4c-1234-4abc-8def-0123456789ab"),
        ("request.header.user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"),
        ("request.query.key", "color"),
        ("request.query.nextPageToken", "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0dDhsOTAQAQ"),
        ("request.body.tokenType", "Bearer"),
        ("request.body.apiKeyId", "Xk2m9QpL4vT7wR1yZ8nB3cD6fG0hJ5sA"),
        ("request.cookie.theme", "dark"),
        ("response.header.etag", '"33a64df551425fcc55e4d42a148795d9f25f89d4"'),
    ],
)
def test_rejects_ids_and_plain_values(location: str, value: str) -> None:
    assert "api_key" not in types_of(location, value)


@pytest.mark.parametrize("value", ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A", "key: AKIAIOSFODNN7EXAMPLE"])
def test_recognises_aws_access_key_ids(value: str) -> None:
    assert "aws_access_key" in types_of("response.body.config", value)


@pytest.mark.parametrize(
    "value", ["AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLE1", "ABCDIOSFODNN7EXAMPLE", "AKIAiosfodnn7example"]
)
def test_rejects_aws_lookalikes(value: str) -> None:
    assert "aws_access_key" not in types_of("response.body.config", value)


def test_recognises_pem_private_keys() -> None:
    assert "private_key" in types_of("response.body.key", PEM)


@pytest.mark.parametrize(
    "value",
    ["-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----", "-----BEGIN RSA PRIVATE KEY-----"],
)
def test_rejects_public_keys_and_bare_pem_headers(value: str) -> None:
    assert "private_key" not in types_of("response.body.key", value)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.body.pin", "4821"),
        ("request.body.pin", 4821),
        ("request.body.card.cardPin", "004821"),
        ("request.body.card_cvv", "123"),
        ("request.body.cvv2", 987),
        ("request.body.cvc", "0456"),
        ("request.body.securityCode", "737"),
        ("request.body.payment.security_code", "7373"),
        ("request.body.otp", "482913"),
        ("request.body.otpCode", "A1B2C3"),
        ("request.body.one_time_password", "482913"),
        ("request.query.otp", "482913"),
        ("request.query.pin", "1234"),
        ("request.header.x-otp", "482913"),
    ],
)
def test_pins_cvvs_and_one_time_codes_are_credentials(location: str, value: object) -> None:
    assert types_of(location, value) == {"password"}


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("request.body.pin", "true"),
        ("request.body.pin", "****"),
        ("request.body.pin", "12"),
        ("response.body.pinLength", 4),
        ("response.body.otpExpiresAt", "2030-01-01T00:00:00Z"),
        ("response.body.otpEnabled", "1234"),
        ("response.body.cvvRequired", "true"),
        ("request.body.pincode", "560001"),  # an Indian postal code
        ("request.body.shipping", "1234"),
        ("request.body.mapping", "1234"),
        ("request.body.spin", "1234"),
        ("request.body.topic", "1234"),
    ],
)
def test_code_metadata_and_lookalike_names_are_not_credentials(location: str, value: object) -> None:
    assert "password" not in types_of(location, value)


def test_code_values_are_never_kept_in_masked_form() -> None:
    from classifiers._helpers import engine

    for location, value in [("request.body.pin", "4821"), ("request.body.cvv", 123), ("request.query.otp", "482913")]:
        (hit,) = engine().classify([(location, value)])
        assert hit.masked == "<password:short>", hit
