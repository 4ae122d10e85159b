"""Bearer tokens and JSON Web Tokens.

A JWT is recognised by structure, not by its ``eyJ`` prefix alone: the header segment must decode
(base64url) to a JSON object with an ``alg`` member. ``Authorization: Bearer <token>`` is a
bearer token whatever the token is; when the token is also a JWT, both types are reported,
because both are true and a JWT additionally exposes its claims to anyone holding the log.
"""

from __future__ import annotations

from collections.abc import Sequence

import re2

from tracehound.classifiers._keys import contains_any
from tracehound.classifiers._validators import is_jwt
from tracehound.classifiers.base import Classifier, FieldKey, ValuePattern
from tracehound.model.redaction import TEXT_PATTERNS
from tracehound.model.vocab import SensitiveType

_JWT = re2.compile(TEXT_PATTERNS["jwt"])
_TOKEN68 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")


def verify_jwt(value: str, key: FieldKey) -> float:
    v = value.strip()
    if v.startswith("eyJ") and is_jwt(v):
        return 0.97
    m = _JWT.search(v[:65536])
    if m is None or not is_jwt(m.group(0)):
        return 0.0
    return 0.95 if len(m.group(0)) >= len(v) - 8 else 0.9


def verify_bearer(value: str, key: FieldKey) -> float:
    # A repeated Authorization header reaches us joined with ", " (RFC 9110 field lines), so
    # every credential of the list is checked; tokens themselves never contain a comma.
    for credential in value.split(","):
        scheme, _, token = credential.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or len(token) < 8 or not all(c in _TOKEN68 for c in token):
            continue
        if token.lower() in ("undefined", "null", "none", "token", "<token>"):
            continue
        return 0.97 if key.key == "authorization" or contains_any(key.key, ("auth", "token")) else 0.9
    return 0.0


class TokensClassifier(Classifier):
    types = (SensitiveType.JWT, SensitiveType.BEARER_TOKEN)

    def patterns(self) -> Sequence[ValuePattern]:
        return (
            ValuePattern(SensitiveType.JWT, TEXT_PATTERNS["jwt"], verify_jwt),
            ValuePattern(SensitiveType.BEARER_TOKEN, r"(?i)(?:^|,)\s*bearer\s+[^\s,]{8,}\s*(?:,|$)", verify_bearer),
        )
