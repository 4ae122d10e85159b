"""The real-server fixtures themselves: they start, answer, and come back after a restart or crash.

Other e2e tests rely on these helpers to inject failures, so a helper that silently fails to
restart a server would make those tests prove nothing.
"""

from __future__ import annotations

import subprocess

import pytest

from servers import NatsCluster, PostgresServer

pytestmark = pytest.mark.e2e


def _psql(server: PostgresServer, sql: str, database: str | None = None) -> str:
    result = subprocess.run(
        [str(server.bindir / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql,
         server.url_for(database or server.database)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_postgres_keeps_committed_rows_across_restart_and_crash(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("fixture_check")
    assert url.startswith("postgresql://") and url.endswith("/fixture_check")
    _psql(postgres_server, "create table t (n int); insert into t values (1)", "fixture_check")
    postgres_server.restart()
    _psql(postgres_server, "insert into t values (2)", "fixture_check")
    postgres_server.kill()
    assert not postgres_server.running
    postgres_server.start()
    assert _psql(postgres_server, "select sum(n) from t", "fixture_check") == "3"
    assert _psql(postgres_server, "select current_database()") == "tracehound"


def test_nats_cluster_node_comes_back_after_kill(nats_cluster: NatsCluster) -> None:
    node = nats_cluster.kill(0)
    assert not node.running and not node.healthy()
    nats_cluster.restart(0)
    assert node.running
    nats_cluster.wait_ready()
    assert all(n.healthy() for n in nats_cluster.nodes)
