"""Credentials: passwords, API keys, AWS access key ids and PEM private keys.

Short numeric credentials (a card's PIN, CVV/CVC or security code, a one-time password) are
passwords too: a ``pin``, ``card_cvv``, ``otpCode`` or ``securityCode`` field with a 3-12 digit
value (or a short code of letters and digits), sent as a string or a JSON number. Reported as
``password``, the vocabulary's credential type, their values are never kept: too short for a
digest to hide them, they are tagged ``<password:short>``.

AWS key ids, PEM blocks and vendor-prefixed keys (``sk_live_``, ``ghp_``, ``xoxb-``…) prove
themselves. Passwords and generic API keys do not: they need a credential-like name (a
``password`` field, an ``x-api-key`` header, a ``session`` cookie) *and* a value that fits — a
password must not be ``true`` or ``********``, an API key must look machine-generated (length,
character classes, entropy). JWTs are left to the tokens family so one value is one type.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import re2

from tracehound.classifiers._keys import contains_any, ends_with_any
from tracehound.classifiers._validators import is_aws_access_key, pem_score, token_score
from tracehound.classifiers.base import Classifier, FieldKey, KeyRule, ValuePattern
from tracehound.model.redaction import TEXT_PATTERNS, names_a_code
from tracehound.model.vocab import SensitiveType

_AWS = re2.compile(TEXT_PATTERNS["aws_access_key"])

# ---------------------------------------------------------------- passwords

_PASSWORD_PARTS = ("password", "passwd", "passphrase", "passcode")
_PASSWORD_EXACT = frozenset({"pwd", "pw", "newpwd", "oldpwd", "userpwd", "loginpwd"})
_META_SUFFIXES = ("hint", "policy", "policies", "length", "minlength", "maxlength", "expiry", "expires",
                  "expiresat", "expired", "expiration", "reset", "resetat", "required", "enabled", "set",
                  "strength", "rules", "url", "uri", "link", "type", "types", "count", "attempts", "age",
                  "changed", "changedat", "lastchanged", "updated", "updatedat", "createdat", "valid",
                  "mismatch", "needed", "less", "id", "ids", "ttl", "name", "names", "prefix", "status",
                  "enabled", "format", "endpoint", "scope", "scopes", "expiresin", "at", "time", "date",
                  "version", "algorithm", "location", "header", "field", "param", "length", "size",
                  "exists", "configured", "supported", "present", "method", "kind", "mode", "label")  # fmt: skip
_MASKED = frozenset("*•x#")
_NOT_PASSWORDS = frozenset({"true", "false", "null", "none", "undefined", "nil", "redacted", "hidden",
                            "masked", "secret", "password", "changeme?", "n/a", "na", "yes", "no"})  # fmt: skip


def _password_key(k: FieldKey) -> bool:
    key = k.key
    if key in _PASSWORD_EXACT:
        return True
    return contains_any(key, _PASSWORD_PARTS) and not ends_with_any(key, _META_SUFFIXES)


def verify_password(value: str, key: FieldKey) -> float:
    v = value
    if not 4 <= len(v) <= 128 or "\n" in v or v.strip() != v:
        return 0.0
    if v.lower() in _NOT_PASSWORDS or set(v) <= _MASKED:
        return 0.0
    return 0.9


def _code_key(k: FieldKey) -> bool:
    return names_a_code(k.key) and not ends_with_any(k.key, _META_SUFFIXES)


def verify_code(value: str, key: FieldKey) -> float:
    """A PIN, CVV or one-time code: 3-12 digits, or 4-12 letters and digits with a digit."""
    v = value.strip()
    if not v.isascii() or not v.isalnum() or not 3 <= len(v) <= 12:
        return 0.0
    if v.isdigit():
        return 0.9
    return 0.8 if len(v) >= 4 and any(c.isdigit() for c in v) else 0.0


def verify_basic_auth(value: str, key: FieldKey) -> float:
    scheme, _, cred = value.strip().partition(" ")
    if scheme.lower() != "basic" or not cred:
        return 0.0
    try:
        decoded = base64.b64decode(cred.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return 0.0
    _user, sep, password = decoded.partition(":")
    return 0.8 if sep and password else 0.0


# ---------------------------------------------------------------- API keys

_SECRET_PARTS = ("key", "token", "secret", "auth", "signature", "credential", "apikey")
_COOKIE_PARTS = (*_SECRET_PARTS, "sess", "sid", "jwt", "login", "remember")
_NOT_SECRET_PARTS = ("idempotency", "public", "publishable", "keyword", "monkey", "turkey", "donkey",
                     "hockey", "whiskey", "jockey", "page", "next", "continuation", "pagination",
                     "cursor", "sync", "csrf", "xsrf", "nonce", "author", "cachekey", "sortkey",
                     "partitionkey", "primarykey", "foreignkey", "keyboard", "tokenizer", "tokens")  # fmt: skip
_BODY_SECRET_PARTS = ("apikey", "apisecret", "apitoken", "secretkey", "clientsecret", "accesskey",
                      "secret", "token", "authkey", "appkey", "consumerkey", "subscriptionkey",
                      "licensekey", "signingkey", "privatetoken", "sessionid", "sessionkey", "masterkey")  # fmt: skip


def _api_key_key(k: FieldKey) -> bool:
    key = k.key
    if k.scope == "cookie":
        return True  # unhinted cookie names still need a strongly token-like value (below)
    if not key or ends_with_any(key, _META_SUFFIXES) or contains_any(key, _NOT_SECRET_PARTS):
        return False
    if k.scope == "header":
        return k.side == "request" and key not in _PLAIN_HEADERS and not key.endswith("id")
    if k.scope == "query":
        return contains_any(key, _SECRET_PARTS) or key in ("sig", "appid")
    return key == "key" or contains_any(key, _BODY_SECRET_PARTS)


_PLAIN_HEADERS = frozenset({"authorization", "proxyauthorization", "host", "useragent", "accept", "acceptencoding",
                            "acceptlanguage", "contenttype", "contentlength", "contentencoding", "referer",
                            "origin", "cookie", "connection", "cachecontrol", "pragma", "date", "via",
                            "forwarded", "xforwardedfor", "xforwardedhost", "xforwardedproto", "xrealip",
                            "traceparent", "tracestate", "xamzntraceid", "xcloudtracecontext", "ifnonematch",
                            "ifmatch", "ifmodifiedsince", "etag", "range", "te", "upgrade", "dnt",
                            "secchua", "secchuaplatform", "secchuamobile", "secfetchsite", "secfetchmode",
                            "secfetchdest", "secfetchuser", "xb3traceid", "xb3spanid", "xb3parentspanid",
                            "xb3sampled", "b3", "sentrytrace", "baggage", "xdatadogtraceid"})  # fmt: skip


def _looks_like_jwt(v: str) -> bool:
    return v.startswith("eyJ") and v.count(".") >= 2


def verify_api_key(value: str, key: FieldKey) -> float:
    v = value.strip()
    if _looks_like_jwt(v) or v[:7].lower() == "bearer ":
        return 0.0
    hinted = contains_any(key.key, _COOKIE_PARTS if key.scope == "cookie" else _SECRET_PARTS)
    if key.scope in ("cookie", "header") and not hinted:
        # An unhinted cookie or custom header: only a long, mixed-case, random-looking value.
        score = token_score(v, min_len=24)
        return 0.6 if score >= 0.8 else 0.0
    score = token_score(v)
    if not score:
        return 0.0
    return 0.88 if key.scope in ("header", "query", "cookie") else 0.8


def verify_authorization(value: str, key: FieldKey) -> float:
    """A raw key in ``Authorization`` (``Token abc…``, ``ApiKey abc…``, or no scheme at all)."""
    v = value.strip()
    scheme, sep, rest = v.partition(" ")
    low = scheme.lower()
    if low in ("bearer", "basic", "digest", "negotiate", "ntlm") or low.startswith("aws4-") or "=" in scheme[:-2]:
        return 0.0
    token = rest.strip() if sep and scheme.isalpha() and len(scheme) <= 16 else v
    if _looks_like_jwt(token) or " " in token:
        return 0.0
    return 0.85 if token_score(token) else 0.0


def _authorization_key(k: FieldKey) -> bool:
    return k.scope == "header" and k.key in ("authorization", "proxyauthorization")


# ---------------------------------------------------------------- self-proving shapes


def verify_aws(value: str, key: FieldKey) -> float:
    v = value.strip()
    if len(v) == 20:
        return 0.97 if is_aws_access_key(v) else 0.0
    m = _AWS.search(v[:65536])
    return 0.9 if m and is_aws_access_key(m.group(0)) else 0.0


def verify_pem(value: str, key: FieldKey) -> float:
    return 0.99 * pem_score(value[:65536])


def verify_prefixed(value: str, key: FieldKey) -> float:
    return 0.92 if " " not in value.strip() else 0.85


class CredentialsClassifier(Classifier):
    types = (
        SensitiveType.PASSWORD,
        SensitiveType.API_KEY,
        SensitiveType.AWS_ACCESS_KEY,
        SensitiveType.PRIVATE_KEY,
    )

    def patterns(self) -> Sequence[ValuePattern]:
        return (
            ValuePattern(SensitiveType.AWS_ACCESS_KEY, TEXT_PATTERNS["aws_access_key"], verify_aws),
            ValuePattern(SensitiveType.PRIVATE_KEY, TEXT_PATTERNS["private_key"], verify_pem),
            ValuePattern(SensitiveType.API_KEY, TEXT_PATTERNS["prefixed_api_key"], verify_prefixed),
        )

    def key_rules(self) -> Sequence[KeyRule]:
        return (
            KeyRule(SensitiveType.PASSWORD, _password_key, verify_password),
            KeyRule(SensitiveType.PASSWORD, _authorization_key, verify_basic_auth),
            KeyRule(SensitiveType.PASSWORD, _code_key, verify_code, numbers=True),
            KeyRule(SensitiveType.API_KEY, _api_key_key, verify_api_key),
            KeyRule(SensitiveType.API_KEY, _authorization_key, verify_authorization),
        )
