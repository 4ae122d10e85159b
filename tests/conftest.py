"""Shared fixtures: the real-server fixtures from ``tests/servers.py`` are registered here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servers import (  # noqa: F401 - imported to register the fixtures
    _nats_binary,
    _nats_cluster_session,
    _nats_server_session,
    _postgres_session,
    nats_cluster,
    nats_server,
    postgres_server,
)
from tracehound.model.redaction import use_installation_key


@pytest.fixture(autouse=True)
def _no_installation_key() -> Iterator[None]:
    """Each test starts unkeyed: analyze and the services set a process-wide redaction key."""
    yield
    use_installation_key(b"")
