"""Stores: where merged profiles and findings live (SQLite for one node, PostgreSQL for clusters).

``open_store(url)`` picks the adapter from a URL, the way every command's ``--store`` takes it.
"""

from __future__ import annotations

from tracehound.errors import StoreError
from tracehound.store.base import Store

DEFAULT_STORE_URL = "sqlite:///tracehound.db"


def open_store(url: str) -> Store:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db``, a bare path, or ``postgresql://...``."""
    if url.startswith(("postgresql://", "postgres://")):
        from tracehound.store.postgres import PostgresStore

        return PostgresStore(url)
    from tracehound.store.sqlite import SqliteStore

    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        if not path.startswith("/") or path == "/":
            raise StoreError(
                f"invalid store URL {url!r}: use sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        return SqliteStore(path[1:])
    if "://" in url:
        raise StoreError(f"unsupported store URL {url!r}: use sqlite:///path or postgresql://user@host/db")
    return SqliteStore(url)
