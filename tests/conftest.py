"""Shared fixtures: the real-server fixtures from ``tests/servers.py`` are registered here."""

from __future__ import annotations

from servers import (  # noqa: F401 - imported to register the fixtures
    _nats_binary,
    _nats_cluster_session,
    _nats_server_session,
    _postgres_session,
    nats_cluster,
    nats_server,
    postgres_server,
)
