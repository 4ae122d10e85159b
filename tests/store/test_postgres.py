"""PostgreSQL-only behaviour: the pool survives a server restart, and an outage is a StoreError."""

from __future__ import annotations

import time

import pytest

from servers import PostgresServer
from tracehound.errors import StoreError
from tracehound.model.redaction import redact_url
from tracehound.store.postgres import PostgresStore


def test_the_store_recovers_after_a_server_restart(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database(f"restart_{int(time.time() * 1e6) % 10**10}")
    store = PostgresStore(url, timeout=5)
    try:
        assert store.apply_delta("acme", {}, {}, {}, "s", [1], 3, 0)
        postgres_server.restart()
        assert store.totals("acme") == (3, 0)
        assert store.apply_delta("acme", {}, {}, {}, "s", [2], 4, 0)
        assert not store.apply_delta("acme", {}, {}, {}, "s", [2], 4, 0)
        assert store.totals("acme") == (7, 0)
    finally:
        store.close()


def test_an_outage_is_a_store_error_naming_the_server(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database(f"outage_{int(time.time() * 1e6) % 10**10}")
    store = PostgresStore(url, timeout=2)
    try:
        postgres_server.stop()
        started = time.monotonic()
        with pytest.raises(StoreError, match="unreachable"):
            store.apply_delta("acme", {}, {}, {}, "s", [1], 1, 0)
        assert time.monotonic() - started < 30
        postgres_server.start()
        assert store.apply_delta("acme", {}, {}, {}, "s", [1], 1, 0)
    finally:
        postgres_server.ensure_running()
        store.close()


def test_connecting_to_nothing_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        PostgresStore("postgresql://nobody:secret@127.0.0.1:1/none", timeout=1)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:hunter2@h/db", "postgresql://***@h/db"),
        ("postgresql://:hunter2@h/db", "postgresql://***@h/db"),
        (
            "postgresql://h:5432/db?user=u&password=hunter2&sslpassword=x",
            "postgresql://h:5432/db?user=u&password=***&sslpassword=***",
        ),
        ("nats://hunter2token@n1:4222,nats://a:hunter2@n2:4222", "nats://***@n1:4222,nats://***@n2:4222"),
        ("sqlite:///var/lib/th.db", "sqlite:///var/lib/th.db"),
    ],
)
def test_passwords_are_redacted_from_messages(url: str, shown: str) -> None:
    assert redact_url(url) == shown
