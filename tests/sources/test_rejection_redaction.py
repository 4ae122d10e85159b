"""Rejection reasons reach the console, the reports and the store: they must never quote a
credential, a query string or any other sensitive value from the input, yet still say what is
wrong with the entry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tracehound.model import Transaction
from tracehound.sources import HarSource, NdjsonSource, Rejection
from tracehound.sources._reasons import text_for_reason, url_for_reason

from .helpers import har_bytes, har_entry, write

SECRETS = (
    "S3cretPassw0rd",
    "hunter2planted",
    "4111111111111111",
    "41111111111111114",
    "jane.doe@example.org",
    "tok_Zq8PlantedTokenValue",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
)
_LONG_DIGITS = re.compile(r"\d{12,}")

# (url, what the reason must still say)
BAD_URLS = [
    (
        "https://admin:S3cretPassw0rd@api.example.com:99999/login?password=hunter2planted&card=4111111111111111",
        ["'https://api.example.com:99999/login'", "credentials", "query", "invalid port '99999'"],
    ),
    (
        "https://admin:S3cretPassw0rd/login?token=tok_Zq8PlantedTokenValue",
        ["invalid port", "/login"],
    ),
    (
        "https://user:S3cretPassw0rd@exa mple.com/cards/4111111111111111?email=jane.doe@example.org",
        ["invalid character in host", "/cards/{int}", "credentials"],
    ),
    (
        "https://api.example.com:65536/c/41111111111111114x#access_token=tok_Zq8PlantedTokenValue",
        ["invalid port '65536'", "/c/4111", "fragment"],
    ),
    (
        "  https://admin:S3cretPassw0rd@api.example.com/login?password=hunter2planted",
        ["not an absolute URL", "api.example.com/login"],
    ),
    (
        "admin:S3cretPassw0rd@api.example.com/login?key=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        ["not an absolute URL", "/login"],
    ),
    (
        "https://[::1]:S3cretPassw0rd/x?password=hunter2planted",
        ["invalid port", "/x"],
    ),
    (
        "https://api.example.com:1:S3cretPassw0rd/x",
        ["more than one ':' in host", "/x"],
    ),
    (
        "not a url password=hunter2planted jane.doe@example.org",
        ["not an absolute URL", "credentials not shown"],  # before an "@" may be a userinfo
    ),
]


def assert_clean(reason: str) -> None:
    for secret in SECRETS:
        assert secret not in reason, reason
    assert "S3cret" not in reason and "hunter2" not in reason, reason
    assert _LONG_DIGITS.search(reason) is None, reason


def _har_reason(tmp_path: Path, entry: dict[str, Any]) -> str:
    path = write(tmp_path / "t.har", har_bytes([entry, har_entry()]))
    items = list(HarSource(path))
    assert isinstance(items[0], Rejection), items[0]
    assert isinstance(items[1], Transaction)
    return items[0].reason


def _ndjson_reason(tmp_path: Path, request: dict[str, Any], **fields: Any) -> str:
    rec = {"v": 1, "request": request, **fields}
    good = {"v": 1, "request": {"method": "GET", "url": "https://api.example.com/"}}
    path = write(tmp_path / "t.ndjson", (json.dumps(rec) + "\n" + json.dumps(good) + "\n").encode())
    items = list(NdjsonSource(path))
    assert isinstance(items[0], Rejection), items[0]
    assert isinstance(items[1], Transaction)
    return items[0].reason


@pytest.mark.parametrize(("url", "expected"), BAD_URLS)
def test_har_invalid_url_reason_hides_secrets(tmp_path: Path, url: str, expected: list[str]) -> None:
    reason = _har_reason(tmp_path, har_entry(url))
    assert reason.startswith("invalid request.url "), reason
    assert_clean(reason)
    for part in expected:
        assert part in reason, (part, reason)


@pytest.mark.parametrize(("url", "expected"), BAD_URLS)
def test_ndjson_invalid_url_reason_hides_secrets(tmp_path: Path, url: str, expected: list[str]) -> None:
    reason = _ndjson_reason(tmp_path, {"method": "GET", "url": url})
    assert reason.startswith("invalid request.url "), reason
    assert_clean(reason)
    for part in expected:
        assert part in reason, (part, reason)


def test_the_documented_example_message(tmp_path: Path) -> None:
    url = "https://admin:S3cretPassw0rd@api.example.com:99999/login?password=hunter2planted&card=4111111111111111"
    reason = _ndjson_reason(tmp_path, {"method": "GET", "url": url})
    query = len("password=hunter2planted&card=4111111111111111")
    assert reason == (
        "invalid request.url 'https://api.example.com:99999/login' "
        f"(credentials and {query}-byte query not shown): invalid port '99999'"
    )


def test_ndjson_relative_url_reason_hides_query(tmp_path: Path) -> None:
    reason = _ndjson_reason(tmp_path, {"method": "GET", "url": "/login?password=hunter2planted&c=4111111111111111"})
    assert_clean(reason)
    assert "'/login'" in reason and "query not shown" in reason and "not an absolute URL" in reason


def test_har_relative_url_without_host_hides_query(tmp_path: Path) -> None:
    entry = har_entry("/login?password=hunter2planted", request_headers=[])
    reason = _har_reason(tmp_path, entry)
    assert_clean(reason)
    assert "'/login'" in reason and "relative URL and no Host header" in reason


def test_har_bad_host_header_port_is_not_echoed(tmp_path: Path) -> None:
    entry = har_entry("/login?password=hunter2planted", request_headers=[("Host", "api.example.com:S3cretPassw0rd")])
    reason = _har_reason(tmp_path, entry)
    assert_clean(reason)
    assert "invalid port" in reason and "Host header" in reason and "/login" in reason


def test_har_status_text_is_redacted(tmp_path: Path) -> None:
    reason = _har_reason(tmp_path, har_entry(status="4111111111111111 password=hunter2planted"))
    assert_clean(reason)
    assert reason.startswith("response.status is not an HTTP status")


def test_ndjson_body_encoding_and_version_are_redacted(tmp_path: Path) -> None:
    request = {"method": "GET", "url": "https://api.example.com/", "body": "x", "body_encoding": "4111111111111111"}
    reason = _ndjson_reason(tmp_path, request)
    assert_clean(reason)
    assert "unknown request.body_encoding" in reason

    path = write(tmp_path / "v.ndjson", (json.dumps({"v": "4111111111111111", "request": {}}) + "\n").encode())
    items = list(NdjsonSource(path))
    assert isinstance(items[0], Rejection)
    assert_clean(items[0].reason)
    assert "unsupported format version" in items[0].reason


def test_url_for_reason_keeps_useful_parts() -> None:
    assert url_for_reason("https://api.example.com/users/42") == "'https://api.example.com/users/42'"
    assert url_for_reason("https://api.example.com/x?") == "'https://api.example.com/x' (query not shown)"
    shown = url_for_reason("https://api.example.com/" + "a" * 1000 + "?q=1")
    assert len(shown) < 260 and "1000" not in shown


def test_text_for_reason_redacts_before_cutting() -> None:
    # A card cut by the limit would escape masking if the text were cut first.
    out = text_for_reason("x" * 30 + "4111111111111111", 40)
    assert "41111111" not in out
    assert _LONG_DIGITS.search(text_for_reason("id 123456789012345678")) is None


HEX40 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
JWT_IN_PATH = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlcGxhbnRlZA"
# (path after the host, canaries that must not be shown, what the quoted path must be)
OPAQUE_PATHS = [
    ("/session/tokCANARYabcdefghij0123456789XYZ", ["tokCANARY", "0123456789"], "/session/{token}"),
    (f"/password-reset/{HEX40}", [HEX40[:12]], "/password-reset/{hex}"),
    (
        f"/reset/{HEX40.replace('0', 'a').replace('1', 'b')[:32]}",
        ["9f86d"],
        "/reset/{uuid}",
    ),  # 32 hex digits: a dashless UUID
    ("/files/abcdefabcdefabcdefabcdefabcdefabcdef", ["abcdefabcdef"], "/files/{hex}"),
    ("/t/Zq8P-lanted_TokenValue-9xQwErTy", ["Zq8P", "TokenValue"], "/t/{token}"),
    (f"/auth/{JWT_IN_PATH}/x", ["eyJhbGci", "c2lnbmF0"], "/auth/{str}/x"),
    ("/x/creds_AKIAPLANTED234567ABC", ["AKIAPLANTED"], "/x/{token}"),
    ("/x/creds-AKIAPLANTED234567ABC", ["AKIAPLANTED"], "/x/{str}"),
    ("/x/creds.AKIAPLANTED234567ABC", ["AKIAPLANTED"], "/x/creds.{str}"),
    ("/x/creds/AKIAPLANTED234567ABC", ["AKIAPLANTED"], "/x/creds/{str}"),
    ("/login;jsessionid=CANARY0123456789ABCDEF", ["CANARY", "0123456789"], "/login;jsessionid=***"),
    ("/login;password=hunter2planted&3", ["hunter2", "&3"], "/login;password=***"),
    ("/a;tokCANARYabcdefghij0123456789XYZ=1/b", ["tokCANARY"], "/a;{str}=***/b"),
    ("/x/key=tokCANARYabcdefghij0123456789XYZ", ["tokCANARY"], None),
    ("/pin%3D4821/otp=482913", ["4821", "482913"], None),
    ("/users/jane.doe@example.org/orders", ["jane.doe"], "/users/{email}/orders"),
    ("/accounts/12345678901234/statements", ["12345678901234"], "/accounts/{int}/statements"),
]


@pytest.mark.parametrize(("path", "canaries", "shown"), OPAQUE_PATHS)
def test_url_reasons_mask_path_segments_like_templating(path: str, canaries: list[str], shown: str | None) -> None:
    reason = url_for_reason(f"https://bank.example.com{path}?password=hunter2planted")
    for canary in canaries:
        assert canary not in reason, reason
    assert "hunter2" not in reason
    if shown is not None:
        assert reason == f"'https://bank.example.com{shown}' (23-byte query not shown)"


@pytest.mark.parametrize(("path", "canaries", "shown"), OPAQUE_PATHS)
def test_rejected_entries_quote_opaque_paths_masked(
    tmp_path: Path, path: str, canaries: list[str], shown: str | None
) -> None:
    # A port that is not a number makes the entry a rejection that quotes its URL.
    url = f"https://bank.example.com:x{path}"
    for reason in (_har_reason(tmp_path, har_entry(url)), _ndjson_reason(tmp_path, {"method": "GET", "url": url})):
        assert reason.startswith("invalid request.url 'https://bank.example.com:***"), reason
        for canary in canaries:
            assert canary not in reason, reason


def test_opaque_hosts_are_masked() -> None:
    reason = url_for_reason("https://tokCANARYabcdefghij0123456789XYZ.tunnel.example:8443/x")
    assert reason == "'https://{token}.tunnel.example:8443/x'"


def test_text_for_reason_masks_tokens_glued_to_words() -> None:
    out = text_for_reason(f"v=creds_AKIAPLANTED234567ABC {HEX40} tokCANARYabcdefghij0123456789XYZ password=hunter22x")
    assert "AKIA" not in out and HEX40[:8] not in out and "CANARY" not in out and "hunter" not in out
    assert out.startswith("v={token} {hex} {token} password=<secret:"), out


def test_literal_parts_templating_keeps_are_masked_too() -> None:
    # A custom method's verb is kept literal by templating; a token there is masked all the same.
    assert url_for_reason("https://h.example/v1/1234:a1B2c3D4e5F6gH") == "'https://h.example/v1/{int}:{token}'"
    assert url_for_reason("https://h.example/v1/tagTypes.1000") == "'https://h.example/v1/tagTypes.{int}'"
