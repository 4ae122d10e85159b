"""Which credential a request carries (the endpoint's auth scheme) and whose it is (the principal).

Scheme labels are stable strings used in the report's ``auth`` list and in the OpenAPI
``securitySchemes``: ``bearer``, ``jwt``, ``basic``, ``digest``, ``api_key:header:<name>``,
``api_key:query:<name>``, ``api_key:cookie:<name>``, ``session_cookie:<name>``, ``none``.
The principal is a short hash of the credential, never the credential itself.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json

from tracehound.model import Exchange
from tracehound.model.redaction import tag_key

API_KEY_HEADERS = frozenset(
    {
        "x-api-key",
        "api-key",
        "apikey",
        "x-apikey",
        "x-auth-token",
        "x-access-token",
        "x-api-token",
        "x-token",
        "authorization-token",
        "x-functions-key",
        "ocp-apim-subscription-key",
    }
)
API_KEY_QUERY = frozenset(
    {"api_key", "apikey", "api-key", "key", "access_token", "token", "auth_token", "apitoken", "appid"}
)
SESSION_COOKIE_HINTS = ("session", "sess", "sid", "auth", "token", "jwt")
_KEYWORDS = ("key", "token", "secret", "auth")


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def credential_headers(headers: dict[str, str]) -> list[str]:
    """Names of non-standard request headers that carry a credential."""
    return list(_credential_names(tuple(headers)))


@functools.lru_cache(maxsize=4096)
def _credential_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """Clients send the same header names over and over: the answer is remembered per name set."""
    out = []
    for name in names:
        if name in API_KEY_HEADERS:
            out.append(name)
        elif name not in ("authorization", "cookie", "proxy-authorization") and (
            name.startswith("x-") or "api" in name
        ):
            norm = _norm(name)
            if any(k in norm for k in _KEYWORDS) and "idempotency" not in norm:
                out.append(name)
    return tuple(out)


MAX_REMEMBERED_CREDENTIALS = 4096
_AUTHORIZATION_SCHEMES: dict[str, str] = {}


def authorization_scheme(value: str) -> str:
    """The scheme label of an ``Authorization`` header value (``jwt``, ``bearer``, ``basic``...)."""
    scheme, _, token = value.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return "jwt" if is_jwt(token.strip()) else "bearer"
    if scheme in ("basic", "digest"):
        return scheme
    if is_jwt(value.strip()):
        return "jwt"
    return "api_key:header:authorization"


def _remember_scheme(value: str) -> str:
    # Pure, and a client sends the same credential request after request: remembered per value
    # (short values only, so the memo stays small).
    label = authorization_scheme(value)
    if len(value) <= 512:
        if len(_AUTHORIZATION_SCHEMES) >= MAX_REMEMBERED_CREDENTIALS:
            _AUTHORIZATION_SCHEMES.clear()
        _AUTHORIZATION_SCHEMES[value] = label
    return label


def auth_schemes(ex: Exchange) -> list[str]:
    """Every credential the request carries, as scheme labels; ``["none"]`` when there is none."""
    schemes: list[str] = []
    authz = ex.headers.get("authorization")
    if authz:
        schemes.append(_AUTHORIZATION_SCHEMES.get(authz) or _remember_scheme(authz))
    for name in _credential_names(tuple(ex.headers)):
        schemes.append(f"api_key:header:{name}")
    for name, _ in ex.query:
        if name.lower() in API_KEY_QUERY:
            schemes.append(f"api_key:query:{name}")
    for name, _ in ex.cookies:
        low = name.lower()
        if any(h in low for h in SESSION_COOKIE_HINTS):
            label = "api_key" if "key" in low else "session_cookie"
            schemes.append(f"{label}:cookie:{name}")
    return schemes or ["none"]


def is_jwt(token: str) -> bool:
    """Three base64url parts whose first decodes to a JSON object with ``alg``."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ"):
        return False
    header = _b64url_json(parts[0])
    return isinstance(header, dict) and "alg" in header


def _b64url_json(part: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):  # a token is client input: "[[[[..." too
        return None


def jwt_claims(token: str) -> dict[str, object] | None:
    """The payload of a JWT (unverified), or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    claims = _b64url_json(parts[1])
    return claims if isinstance(claims, dict) else None


def principal(ex: Exchange) -> str | None:
    """Who is calling: the JWT subject, else a hash of the credential; None for anonymous calls."""
    authz = ex.headers.get("authorization", "").strip()
    if authz:
        scheme, _, token = authz.partition(" ")
        token = token.strip() or scheme
        if scheme.lower() == "basic":
            try:
                user = base64.b64decode(token, validate=False).split(b":", 1)[0]
            except (binascii.Error, ValueError):
                user = token.encode()
            return "basic:" + _digest(user)
        claims = jwt_claims(token) if is_jwt(token) else None
        if claims and isinstance(claims.get("sub"), str | int):
            return "sub:" + _digest(str(claims["sub"]).encode())
        return "token:" + _digest(token.encode())
    for name in credential_headers(ex.headers):
        return "key:" + _digest(ex.headers[name].encode())
    for name, value in ex.query:
        if name.lower() in API_KEY_QUERY:
            return "key:" + _digest(value.encode())
    for name, value in ex.cookies:
        if any(h in name.lower() for h in SESSION_COOKIE_HINTS):
            return "session:" + _digest(value.encode())
    return None


def _digest(raw: bytes) -> str:
    # Keyed like secret tags (model.redaction: the tenant's key), so a principal id cannot be
    # confirmed from a dictionary of user names or subjects by whoever reads a report, nor
    # matched against another tenant's.
    key = tag_key()
    if key:
        return hmac.new(key, raw, hashlib.sha256).hexdigest()[:12]
    return hashlib.sha256(raw).hexdigest()[:12]
