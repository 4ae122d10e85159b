"""API keys: how a key is made, parsed and checked, shared by every store adapter.

A key is ``th_<key_id>_<secret>``: the key id is public (listed, used to revoke and to find the
row), the secret is 256 random bits shown once. Only SHA-256 of the secret is stored; a slow
password hash buys nothing for a high-entropy token and would cost every API request. The stored
hash is compared with ``hmac.compare_digest`` so timing does not reveal how much of it matched.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from tracehound.errors import StoreError
from tracehound.store.base import ROLES

KEY_PREFIX = "th_"
_KEY_RE = re.compile(r"th_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_TENANT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def new_key() -> tuple[str, str, str]:
    """(key_id, full key, hash of the secret to store)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, f"{KEY_PREFIX}{key_id}_{secret}", hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(presented: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    m = _KEY_RE.fullmatch(presented.strip())
    return (m.group(1), m.group(2)) if m else None


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret).encode(), stored_hash.encode())


def check_role(role: str) -> None:
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def check_tenant_name(name: str) -> None:
    if not _TENANT_RE.fullmatch(name):
        raise StoreError(
            f"invalid tenant name {name!r}: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
