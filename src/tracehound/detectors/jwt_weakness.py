"""``jwt_weakness``: tokens that can be forged or never expire (OWASP API2:2023).

For every JWT a request presents (``Authorization`` or a cookie): ``alg`` ``none`` (unsigned,
anyone can mint one), no ``exp`` claim, a lifetime (``exp - iat``) over ``MAX_LIFETIME_DAYS``, and
an HMAC signature (HS256/384/512) that verifies with a secret from a small built-in dictionary of
secrets found in tutorials and defaults — which means anyone can forge tokens. Verification is
``hmac.compare_digest`` over the token's own signing input; results are cached per token (the
same token comes back on every request of a session), so the dictionary costs once per token.
Evidence names the weakness, never the token or the secret.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour

MAX_LIFETIME_DAYS = 30
MAX_TOKEN = 8192
WEAK_SECRETS = (
    "secret",
    "secretkey",
    "secret_key",
    "secret-key",
    "secret123",
    "mysecret",
    "my_secret",
    "topsecret",
    "supersecret",
    "s3cr3t",
    "jwt",
    "jwtsecret",
    "jwt_secret",
    "jwt-secret",
    "your-256-bit-secret",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "your_jwt_secret",
    "changeme",
    "changeit",
    "password",
    "passw0rd",
    "123456",
    "12345678",
    "1234567890",
    "qwerty",
    "admin",
    "test",
    "testing",
    "key",
    "private",
    "default",
    "letmein",
    "welcome",
    "hello",
    "shhhhh",
    "keyboard cat",
    "development",
    "dev",
    "example",
    "token",
    "abc123",
    "gcp",
    "HS256",
)
"""Secrets seen in tutorials, framework defaults and leaked configs (``jwt.io`` defaults included)."""
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _b64(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


def _json(part: str) -> dict[str, object] | None:
    raw = _b64(part)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


@functools.lru_cache(maxsize=4096)
def weaknesses(token: str) -> tuple[tuple[str, Severity], ...]:
    """Every weakness of ``token`` as (reason, severity); ``()`` for a sound token or a non-JWT."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > MAX_TOKEN:
        return ()
    header, claims = _json(parts[0]), _json(parts[1])
    if header is None or claims is None or "alg" not in header:
        return ()
    out: list[tuple[str, Severity]] = []
    alg = str(header.get("alg"))
    if alg.lower() == "none":
        out.append(("alg=none: the token is not signed", Severity.CRITICAL))
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        out.append(("no exp claim: the token never expires", Severity.MEDIUM))
    elif isinstance(iat, int | float) and not isinstance(iat, bool):
        days = (exp - iat) / 86400
        if days > MAX_LIFETIME_DAYS:
            out.append((f"lifetime of {days:.0f} days (exp - iat)", Severity.LOW))
    digest = _HASHES.get(alg.upper())
    signature = _b64(parts[2]) if digest is not None else None
    if digest is not None and signature:
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
        for secret in WEAK_SECRETS:
            if hmac.compare_digest(hmac.new(secret.encode(), signing_input, digest).digest(), signature):
                out.append((f"{alg.upper()} secret is in the built-in dictionary of weak secrets", Severity.CRITICAL))
                break
    return tuple(out)


class JwtWeaknessDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.JWT_WEAKNESS,)
    severity: ClassVar[Severity] = Severity.MEDIUM

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        ex = seen.ex
        tokens: list[tuple[str, str]] = []
        authz = ex.headers.get("authorization", "")
        if "eyJ" in authz:
            scheme, _, rest = authz.strip().partition(" ")
            tokens.append(("request.header.authorization", rest.strip() or scheme))
        for name, value in ex.cookies:
            if value.startswith("eyJ"):
                tokens.append((f"request.cookie.{name}", value))
        out: list[Detection] = []
        for location, token in tokens:
            found = weaknesses(token)
            if found:
                worst = max(found, key=lambda f: f[1].rank)[1]
                out.append(self.detection(location, "; ".join(reason for reason, _ in found), severity=worst))
        return out

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()
