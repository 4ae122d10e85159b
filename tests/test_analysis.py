"""The offline run keys its secret tags with its tenant's key, as the cluster does."""

from __future__ import annotations

from pathlib import Path

from tracehound.analysis import new_pipeline, run_transactions
from tracehound.config import Settings
from tracehound.model import Transaction
from tracehound.store.base import installation_key
from tracehound.store.sqlite import SqliteStore


def _login(seq: int, password: str) -> Transaction:
    body = b'{"username": "zeb", "password": "' + password.encode() + b'"}'
    return Transaction(
        seq=seq,
        source="t",
        started=1_790_000_000.0 + seq,
        method="POST",
        scheme="https",
        host="api.example.com",
        path="/login",
        query="",
        request_headers=(("content-type", "application/json"),),
        request_body=body,
        status=200,
    )


def _tags(tenant: str, store: SqliteStore) -> set[str]:
    pipeline, _ = new_pipeline(Settings(tenant=tenant), store)
    result = run_transactions([_login(i, "s3cr3t-Passw0rd-shared") for i in range(5)], pipeline)
    return {m for ep in result.deltas.endpoints.values() for s in ep.sensitive.values() for m in s.masks}


def test_analyze_tags_with_the_tenant_key(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "t.db"))
    installation_key(store)
    default, acme, default_again = _tags("default", store), _tags("acme", store), _tags("default", store)
    assert len(default) == 1 and default == default_again
    assert default != acme
    store.close()
