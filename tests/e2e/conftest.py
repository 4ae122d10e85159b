"""Fixtures of the e2e tests: a fresh PostgreSQL database and a fresh JetStream stream per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from e2e._procs import cleanup_services
from servers import NatsCluster, NatsNode, PostgresServer
from tracehound.store import open_store
from tracehound.store.base import Store

_n = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid()}x{next(_n)}"


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(unique("e2e"))


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


def bus_url(base: str, replicas: int = 1, ack_wait: float = 3.0) -> str:
    name = unique("E2E")
    # A small max_bytes: JetStream reserves it from the shared server's file store per stream.
    return (
        f"{base}?stream={name}&subjects={name.lower()}.>&replicas={replicas}&ack_wait={ack_wait}&max_bytes={64 << 20}"
    )


@pytest.fixture(autouse=True)
def _services_are_stopped() -> Iterator[None]:
    """Whatever a test left running (it failed half-way) is killed and its log closed."""
    yield
    cleanup_services()


@pytest.fixture
def nats_bus(nats_server: NatsNode) -> str:
    return bus_url(nats_server.url)


@pytest.fixture
def cluster_bus(nats_cluster: NatsCluster) -> str:
    return bus_url(nats_cluster.url, replicas=3)
