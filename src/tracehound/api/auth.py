"""API-key authentication for the HTTP services: ``Authorization: Bearer th_<key_id>_<secret>``.

The store checks the key (hashed secret, constant-time comparison, revocation); this module turns
the answer into HTTP: 401 with ``WWW-Authenticate: Bearer`` for a missing, malformed, unknown or
revoked key, 403 for a valid key whose role does not allow the service (an ``ingest`` key on the
read API), 503 when the store cannot be asked. The key itself is never logged or echoed. The
error codes are those of the ingest API too: ``unauthenticated`` (401) and ``forbidden`` (403).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import Request

from tracehound.errors import StoreError
from tracehound.store.base import KeyInfo, Store, role_allows

log = logging.getLogger(__name__)

__all__ = ["ApiError", "KeyAuth", "bearer_token"]


class ApiError(Exception):
    """An HTTP error answered as ``{"error": code, "reason": text}``."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason

    @property
    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"} if self.status == 401 else None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class KeyAuth:
    """A FastAPI dependency: the caller's ``KeyInfo`` when its key allows ``role``, else an ApiError.

    ``on_failure`` is told the reason (``missing``, ``invalid``, ``forbidden``) for a metric.
    """

    def __init__(self, store: Store, role: str, on_failure: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.role = role
        self.on_failure = on_failure or (lambda reason: None)

    def __call__(self, request: Request) -> KeyInfo:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            self.on_failure("missing")
            raise ApiError(401, "unauthenticated", "missing API key: send Authorization: Bearer <key>")
        try:
            info = self.store.authenticate(token)
        except StoreError as exc:
            log.warning("auth.store_unavailable error=%s", exc)
            raise ApiError(503, "unavailable", "cannot check the key now: the store is unavailable; retry") from exc
        if info is None:
            self.on_failure("invalid")
            raise ApiError(401, "unauthenticated", "unknown, malformed or revoked API key")
        if not role_allows(info.role, self.role):
            self.on_failure("forbidden")
            raise ApiError(403, "forbidden", f"a key with role {info.role!r} cannot use this API (needs {self.role!r})")
        return info
