"""Fixtures of the read API tests: a store (SQLite, or real PostgreSQL) with two tenants and their keys.

Named ``api_store``, ``keys`` and ``read_client`` so they stay clear of the ingest tests' fixtures.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from read_api_helpers import Keys, TestClient

from servers import PostgresServer
from tracehound.api.read import create_read_app
from tracehound.store import open_store
from tracehound.store.base import Store

_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
def api_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'api.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database(f"api_{next(_names)}_{int(time.time() * 1000) % 10**8}")
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture
def keys(api_store: Store) -> Keys:
    api_store.create_tenant("acme")
    api_store.create_tenant("globex")
    revoked_id, revoked = api_store.create_key("acme", "read")
    api_store.revoke_key(revoked_id)
    return Keys(
        read_a=api_store.create_key("acme", "read")[1],
        read_b=api_store.create_key("globex", "read")[1],
        ingest_a=api_store.create_key("acme", "ingest")[1],
        admin_a=api_store.create_key("acme", "admin")[1],
        revoked_a=revoked,
    )


@pytest.fixture
def read_client(api_store: Store) -> Iterator[TestClient]:
    with TestClient(create_read_app(api_store)) as c:
        yield c
