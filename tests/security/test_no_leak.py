"""Planted sensitive values must not appear in the store, the outputs or the logs: byte by byte."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from pathlib import Path
from urllib.parse import quote

import msgspec
from click.testing import CliRunner

from tracehound.cli.main import cli

CARD = "4111111111111111"
SSN = "219-09-9999"
EMAIL = "planted.person@example.org"
PASSWORD = "hunter2planted"
API_KEY = "sk_live_PLANTEDkey1234567890abcdefXYZ"
AWS = "AKIAPLANTED234567ABC"
PHONE = "+1-202-555-0147"
IBAN = "DE89370400440532013000"
NAME = "Zebulon Quixote"
PEM_BODY = base64.b64encode(bytes(range(180))).decode()
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY[:64]}\n{PEM_BODY[64:]}\n-----END RSA PRIVATE KEY-----"


def _jwt() -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header, claims = part({"alg": "HS256", "typ": "JWT"}), part({"sub": "planted-subject", "exp": 4102444800})
    return f"{header}.{claims}.c2lnbmF0dXJlcGxhbnRlZA"


JWT = _jwt()
# Values in places a classifier does not look: path segments that are not ids, object keys and
# parameter names that are data, keys a location cannot address, single-case secrets, numbers.
SPACED_CARD = "5555 5555 5555 4444"
E164 = "+12025550199"
KEY_EMAIL = "keyed.person@example.net"
DOTTED_PASSWORD = "dottedsecret77"
PLAIN_SECRET = "correcthorsebatterystaple"
NUMERIC_CARD = 4012888888881881
GLUED_CARD = "4532015112830366"  # glued to an SQL injection: fails Luhn with the digit before it
URL_PASSWORD = "urlPlantedPassw0rd"
# Opaque values in URL paths: a rejected entry's reason quotes its path, an accepted one's is
# templated. Each class in several shapes: tokens, hex runs, base64url, a JWT, AWS keys glued to
# words, matrix parameters.
PATH_TOKEN = "tokCANARYabcdefghij0123456789XYZ"
PATH_HEX40 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
PATH_HEX64 = hashlib.sha256(b"planted").hexdigest()
PATH_B64URL = "Zq8P-lantedTok_enValue-9xQwErTy4"
PATH_AWS = "AKIACANARY234567ABCD"
JSESSIONID = "JSESSCANARY0123456789ABCDEFGH"
MATRIX_PASSWORD = "matrixPlantedPw9"


def _path_jwt() -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'sub': 'path-planted'})}.cGF0aHNpZ25hdHVyZQ"


PATH_JWT = _path_jwt()
OPAQUE_PATHS = [
    f"/session/{PATH_TOKEN}",
    f"/password-reset/{PATH_HEX40}",
    f"/blobs/{PATH_HEX64}",
    f"/share/{PATH_B64URL}",
    f"/auth/{PATH_JWT}/callback",
    f"/vault/creds_{PATH_AWS}",
    f"/vault/creds-{PATH_AWS}",
    f"/vault/creds.{PATH_AWS}",
    f"/vault/creds/{PATH_AWS}",
    f"/app;jsessionid={JSESSIONID}",
    f"/app/login;password={MATRIX_PASSWORD}&3",
]
# Short numeric credentials: a PIN, CVVs, a one-time password, in JSON bodies (strings and
# numbers), query strings, and free text a detector quotes.
PIN = "4821"
CVV = "998"  # above every entry seq number of this traffic (under 1,000), so a hit is a leak
CID = "7319"
OTP = "482913"
CODES = [PIN, CVV, CID, OTP]
PLANTED = [
    CARD, SSN, EMAIL, PASSWORD, API_KEY, AWS, PHONE, IBAN, NAME, JWT, PEM_BODY[:40],
    SPACED_CARD, E164, KEY_EMAIL, DOTTED_PASSWORD, PLAIN_SECRET, str(NUMERIC_CARD),
    GLUED_CARD[2:14], URL_PASSWORD,
    PATH_TOKEN, PATH_HEX40, PATH_HEX64, PATH_B64URL, PATH_JWT, PATH_AWS, JSESSIONID, MATRIX_PASSWORD,
]  # fmt: skip


def _entry(
    i: int, method: str, path: str, request: object = None, response: object = None, query: str = ""
) -> dict[str, object]:
    headers = [
        {"name": "Host", "value": "bank.example.com"},
        {"name": "Authorization", "value": f"Bearer {JWT}"},
        {"name": "X-Api-Key", "value": API_KEY},
        {"name": "Content-Type", "value": "application/json"},
    ]
    req: dict[str, object] = {"method": method, "url": f"https://bank.example.com{path}{query}", "headers": headers}
    if request is not None:
        req["postData"] = {"mimeType": "application/json", "text": json.dumps(request)}
    return {
        "startedDateTime": f"2026-11-25T10:00:{i % 60:02d}Z",
        "time": 20,
        "_clientIPAddress": "198.51.100.7",
        "request": req,
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(response or {})},
        },
    }


def traffic() -> dict[str, object]:
    customer = {
        "name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "ssn": SSN,
        "iban": IBAN,
        "card": {"number": CARD, "expiry": "12/30"},
        "status": "active",
    }
    entries = []
    for i in range(40):
        entries.append(_entry(i, "GET", f"/customers/{1000 + i}", response=customer))
        entries.append(
            _entry(i, "POST", "/login", request={"username": "zeb", "password": PASSWORD}, response={"token": JWT})
        )
        entries.append(
            _entry(
                i, "GET", "/lookup", query=f"?email={quote(EMAIL)}&api_key={API_KEY}&ssn={SSN}", response={"ok": True}
            )
        )
        entries.append(
            _entry(i, "PUT", "/keys", request={"aws_access_key_id": AWS, "private_key": PEM}, response={"saved": True})
        )
        entries.append(
            _entry(
                i,
                "GET",
                "/search",
                query="?q=1%27%20OR%20%271%27%3D%271%20--%20" + quote(EMAIL),
                response={"items": []},
            )
        )
        entries.append(_entry(i, "GET", f"/cards/{quote(SPACED_CARD)}", response={"ok": True}))
        entries.append(_entry(i, "GET", f"/users/{quote(E164)}/profile", response={"ok": True}))
        entries.append(
            _entry(i, "GET", "/verify", query=f"?{quote(KEY_EMAIL)}", response={"byEmail": {KEY_EMAIL: {"limit": 5}}})
        )
        entries.append(
            _entry(
                i,
                "POST",
                "/tokens",
                request={"user.password": DOTTED_PASSWORD, "client_secret": PLAIN_SECRET, "pan": NUMERIC_CARD},
                response={"ok": True},
            )
        )
        entries.append(_entry(i, "GET", "/search", query="?q=" + quote("1' OR '1'='1" + GLUED_CARD)))
        entries.append(
            _entry(
                i,
                "POST",
                "/cards/activate",
                request={"card": {"cardPin": PIN, "cvv": CVV, "security_code": int(CID)}, "otpCode": OTP},
                response={"ok": True},
            )
        )
        entries.append(_entry(i, "GET", "/verify", query=f"?otp={OTP}&pin={PIN}&cvv2={CVV}", response={"ok": True}))
        entries.append(
            _entry(
                i,
                "POST",
                "/notes",
                request={"note": f"pin={PIN} cvv={CVV} otp={OTP} ' OR '1'='1' --", "cvc": int(CID)},
                response={"ok": True},
            )
        )
        for path in OPAQUE_PATHS:
            entries.append(_entry(i, "GET", path, response={"ok": True}))
    # Rejected entries: their reasons reach the console, the reports and the store.
    bad = _entry(0, "GET", "/login")
    bad["request"]["url"] = f"https://admin:{URL_PASSWORD}@bank.example.com:99999/x?password={PASSWORD}&c={CARD}"  # type: ignore[index]
    entries.append(bad)
    for path in OPAQUE_PATHS:  # a port that is not a number: rejected, with the URL quoted
        bad = _entry(0, "GET", "/x")
        bad["request"]["url"] = f"https://bank.example.com:8x{path}?otp={OTP}"  # type: ignore[index]
        entries.append(bad)
    return {"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}


def test_planted_values_appear_nowhere(tmp_path: Path) -> None:
    har = tmp_path / "in" / "planted.har"
    har.parent.mkdir()
    har.write_text(json.dumps(traffic()))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            str(har),
            "--db",
            str(out / "t.db"),
            "--json",
            str(out / "r.json"),
            "--openapi",
            str(out / "openapi"),
            "--html",
            str(out / "r.html"),
            "--sarif",
            str(out / "r.sarif"),
            "--detections",
            str(out / "d.jsonl"),
        ],
        terminal_width=250,
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "r.json").read_text())
    found = {(s["location"], s["type"]) for svc in report["services"] for e in svc["endpoints"] for s in e["sensitive"]}
    # The values were seen and classified (so the test is not vacuous) ...
    assert ("response.body.card.number", "credit_card") in found
    assert ("request.body.password", "password") in found
    assert any(f["type"] == "sqli" for f in report["findings"])
    assert "invalid request.url" in result.output
    assert report["summary"]["rejected"] == 1 + len(OPAQUE_PATHS), report["summary"]
    assert ("request.body.card.cardPin", "password") in found
    assert ("request.body.otpCode", "password") in found
    assert ("request.query.pin", "password") in found
    # ... and none of them, in any encoding a reader would try, is in any file or the console.
    blobs = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    blobs[Path("<console>")] = result.output.encode()
    assert any(p.name.startswith("t.db") for p in blobs)
    # Secret tags are keyed with the store's installation key: the plain SHA-256 prefix of a
    # planted password (what a dictionary attack would try) appears nowhere.
    for secret in (PASSWORD, API_KEY, JWT):
        plain = hashlib.sha256(secret.encode()).hexdigest()[:8].encode()
        assert not any(plain in data for data in blobs.values()), f"unkeyed digest of {secret[:6]}... found"
    assert any(b"<password:" in data or b"<api_key:" in data for data in blobs.values())
    numbers = {msgspec.msgpack.encode(NUMERIC_CARD), msgspec.msgpack.encode(float(NUMERIC_CARD))}
    numbers |= {struct.pack(">q", NUMERIC_CARD), struct.pack("<q", NUMERIC_CARD), struct.pack(">d", NUMERIC_CARD)}
    for path, data in blobs.items():
        for form in numbers:
            assert form not in data, f"{NUMERIC_CARD} found in {path} as {form!r}"
    for value in PLANTED:
        forms = {value, quote(value), quote(value, safe=""), json.dumps(value)[1:-1]}
        for path, data in blobs.items():
            for form in forms:
                assert form.encode() not in data, f"{value!r} found in {path} as {form!r}"
                assert form.encode("utf-16-le") not in data, f"{value!r} found in {path} (utf-16)"
    # Short codes: as a token of their own (digests and ids around them are letters and digits).
    for code in CODES:
        alone = re.compile(rb"(?<![0-9A-Za-z])" + code.encode() + rb"(?![0-9A-Za-z])")
        for path, data in blobs.items():
            m = alone.search(data)
            assert m is None, f"{code!r} found in {path}: {data[max(0, m.start() - 40) : m.end() + 40]!r}"
