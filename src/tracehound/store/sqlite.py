"""The SQLite store: one file, WAL journal, numbered migrations, merges inside one transaction.

Every write goes through this one connection (the Datasette habit of a single writer), so merges
never race; a lock serialises the threads of one process (workers, the read API's thread pool)
on it, and readers in other processes see committed states thanks to WAL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import msgspec

from tracehound.errors import StoreError
from tracehound.profiles.endpoint import ENDPOINT_DECODER, ENDPOINT_ENCODER, EndpointProfile
from tracehound.profiles.findings import FINDING_DECODER, FINDING_ENCODER, FindingStats
from tracehound.store import _keys, _snapshot
from tracehound.store._migrations import migrations, statements
from tracehound.store.base import (
    EndpointKey,
    EndpointQuery,
    FindingKey,
    FindingQuery,
    KeyInfo,
    KeyRecord,
    MergeState,
    Page,
    RunRecord,
    TenantRecord,
)

MAX_STORED_REJECTIONS = 1000
"""Rejections kept per run with their reason; the count is always exact."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        self = args[0]
        assert isinstance(self, SqliteStore)
        with self._lock:
            try:
                return fn(*args, **kwargs)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"store {self.path}: {exc}") from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class SqliteStore:
    """Profiles, findings, runs, keys and the published inventory in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc} (is it a Tracehound SQLite file?)") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, sql in migrations("sqlite"):
            if number > version:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    if self._db.execute("PRAGMA user_version").fetchone()[0] >= number:
                        self._db.execute("ROLLBACK")  # another process migrated meanwhile
                        continue
                    for statement in statements(sql):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={int(number)}")
                    self._db.execute("COMMIT")
                except sqlite3.DatabaseError:
                    self._db.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ profiles
    @_locked
    def merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None:
        with self._transaction():
            self._merge_endpoints(tenant, delta)

    @_locked
    def merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None:
        with self._transaction():
            self._merge_findings(tenant, delta)

    def _merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None:
        now = time.time()
        for key, profile in delta.items():
            row = self._db.execute(
                "SELECT profile FROM endpoints WHERE tenant=? AND service=? AND method=? AND template=?",
                (tenant, *key),
            ).fetchone()
            if row is not None:
                merged = ENDPOINT_DECODER.decode(row[0])
                merged.merge(profile)
                blob = ENDPOINT_ENCODER.encode(merged)
            else:
                blob = ENDPOINT_ENCODER.encode(profile)
            self._db.execute(
                "INSERT INTO endpoints(tenant, service, method, template, profile, updated)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(tenant, service, method, template)"
                " DO UPDATE SET profile=excluded.profile, updated=excluded.updated",
                (tenant, *key, blob, now),
            )

    def _merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None:
        now = time.time()
        for key, stats in delta.items():
            row = self._db.execute(
                "SELECT stats FROM findings WHERE tenant=? AND type=? AND service=? AND method=?"
                " AND template=? AND location=?",
                (tenant, *key),
            ).fetchone()
            if row is not None:
                merged = FINDING_DECODER.decode(row[0])
                merged.merge(stats)
                blob = FINDING_ENCODER.encode(merged)
            else:
                blob = FINDING_ENCODER.encode(stats)
            self._db.execute(
                "INSERT INTO findings(tenant, type, service, method, template, location, stats, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(tenant, type, service, method, template, location)"
                " DO UPDATE SET stats=excluded.stats, updated=excluded.updated",
                (tenant, *key, blob, now),
            )

    @_locked
    def load_endpoints(self, tenant: str) -> dict[EndpointKey, EndpointProfile]:
        rows = self._db.execute(
            "SELECT service, method, template, profile FROM endpoints WHERE tenant=? ORDER BY 1, 3, 2",
            (tenant,),
        )
        out = {}
        for service, method, template, blob in rows:
            try:
                out[EndpointKey(service, method, template)] = ENDPOINT_DECODER.decode(blob)
            except msgspec.DecodeError as exc:
                raise StoreError(f"corrupt profile for {method} {service}{template} in {self.path}: {exc}") from exc
        return out

    @_locked
    def load_findings(self, tenant: str) -> dict[FindingKey, FindingStats]:
        rows = self._db.execute(
            "SELECT type, service, method, template, location, stats FROM findings WHERE tenant=?", (tenant,)
        )
        return {FindingKey(t, s, m, tpl, loc): FINDING_DECODER.decode(blob) for t, s, m, tpl, loc, blob in rows}

    # ------------------------------------------------------------------ state
    @_locked
    def get_state(self, tenant: str, name: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM state WHERE tenant=? AND name=?", (tenant, name)).fetchone()
        return None if row is None else bytes(row[0])

    @_locked
    def put_state(self, tenant: str, name: str, value: bytes) -> None:
        with self._transaction():
            self._put_state(tenant, name, value)

    @_locked
    def add_state(self, tenant: str, name: str, value: bytes) -> bytes:
        with self._transaction():
            self._db.execute(
                "INSERT INTO state(tenant, name, value, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(tenant, name) DO NOTHING",
                (tenant, name, value, time.time()),
            )
            row = self._db.execute("SELECT value FROM state WHERE tenant=? AND name=?", (tenant, name)).fetchone()
        return bytes(row[0])

    def _put_state(self, tenant: str, name: str, value: bytes) -> None:
        self._db.execute(
            "INSERT INTO state(tenant, name, value, updated) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(tenant, name) DO UPDATE SET value=excluded.value, updated=excluded.updated",
            (tenant, name, value, time.time()),
        )

    # ------------------------------------------------------------------ deltas from the bus
    @_locked
    def apply_delta(
        self,
        tenant: str,
        endpoints: Mapping[EndpointKey, EndpointProfile],
        findings: Mapping[FindingKey, FindingStats],
        states: Mapping[str, bytes],
        stream: str,
        seqs: Sequence[int],
        transactions: int,
        rejected: int,
        merge_state: MergeState | None = None,
    ) -> bool:
        now = time.time()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            before = self._db.total_changes
            unique = sorted(set(seqs))
            self._db.executemany(
                "INSERT OR IGNORE INTO applied_messages(stream, seq, applied) VALUES (?, ?, ?)",
                [(stream, int(s), now) for s in unique],
            )
            if self._db.total_changes - before != len(unique):
                self._db.execute("ROLLBACK")
                return False
            self._merge_endpoints(tenant, endpoints)
            self._merge_findings(tenant, findings)
            for name, value in states.items():
                if merge_state is not None:
                    row = self._db.execute(
                        "SELECT value FROM state WHERE tenant=? AND name=?", (tenant, name)
                    ).fetchone()
                    value = merge_state(name, None if row is None else bytes(row[0]), value)
                self._put_state(tenant, name, value)
            self._add_totals(tenant, transactions, rejected)
            self._db.execute("COMMIT")
            return True
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _add_totals(self, tenant: str, transactions: int, rejected: int) -> None:
        if transactions or rejected:
            self._db.execute(
                "INSERT INTO tenant_totals(tenant, transactions, rejected) VALUES (?, ?, ?)"
                " ON CONFLICT(tenant) DO UPDATE SET transactions = transactions + excluded.transactions,"
                " rejected = rejected + excluded.rejected",
                (tenant, int(transactions), int(rejected)),
            )

    @_locked
    def applied(self, stream: str, seqs: Sequence[int]) -> set[int]:
        out: set[int] = set()
        unique = sorted(set(seqs))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT seq FROM applied_messages WHERE stream=? AND seq IN ({marks})", (stream, *chunk)
            )
            out.update(int(r[0]) for r in rows)
        return out

    @_locked
    def prune_applied(self, stream: str, below: int) -> int:
        with self._transaction():
            cur = self._db.execute("DELETE FROM applied_messages WHERE stream=? AND seq < ?", (stream, int(below)))
        return int(cur.rowcount)

    @_locked
    def forget_applied_before(self, timestamp: float) -> int:
        with self._transaction():
            cur = self._db.execute("DELETE FROM applied_messages WHERE applied < ?", (float(timestamp),))
        return int(cur.rowcount)

    # ------------------------------------------------------------------ runs
    @_locked
    def start_run(self, tenant: str, inputs: list[str]) -> int:
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO runs(tenant, started, inputs) VALUES (?, ?, ?)",
                (tenant, time.time(), json.dumps(inputs)),
            )
        return int(cur.lastrowid or 0)

    @_locked
    def finish_run(self, run_id: int, transactions: int, rejected: int, rejections: list[tuple[str, int, str]]) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE runs SET finished=?, transactions=?, rejected=? WHERE id=?",
                (time.time(), transactions, rejected, run_id),
            )
            self._db.executemany(
                "INSERT INTO rejections(run_id, source, idx, reason) VALUES (?, ?, ?, ?)",
                [(run_id, s, i, r) for s, i, r in rejections[:MAX_STORED_REJECTIONS]],
            )

    @_locked
    def runs(self, tenant: str) -> list[RunRecord]:
        rows = self._db.execute(
            "SELECT id, started, finished, inputs, transactions, rejected FROM runs WHERE tenant=? ORDER BY id",
            (tenant,),
        )
        return [RunRecord(i, s, f, json.loads(inp), t, r) for i, s, f, inp, t, r in rows]

    @_locked
    def totals(self, tenant: str) -> tuple[int, int]:
        """(transactions, rejected) over every run of the tenant and every applied delta."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(transactions), 0), COALESCE(SUM(rejected), 0) FROM ("
            " SELECT transactions, rejected FROM runs WHERE tenant=?"
            " UNION ALL SELECT transactions, rejected FROM tenant_totals WHERE tenant=?)",
            (tenant, tenant),
        ).fetchone()
        return int(row[0]), int(row[1])

    @_locked
    def clear(self, tenant: str) -> None:
        """Forget everything learned for a tenant (``analyze --fresh``); its keys stay."""
        with self._transaction():
            for table in _TENANT_DATA_TABLES:
                self._db.execute(f"DELETE FROM {table} WHERE tenant=?", (tenant,))
            self._db.execute("DELETE FROM rejections WHERE run_id IN (SELECT id FROM runs WHERE tenant=?)", (tenant,))
            self._db.execute("DELETE FROM runs WHERE tenant=?", (tenant,))

    # ------------------------------------------------------------------ leases
    @_locked
    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool:
        now = time.time()
        with self._transaction():
            row = self._db.execute(
                "INSERT INTO leases(name, holder, expires) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder=excluded.holder, expires=excluded.expires"
                " WHERE leases.holder = excluded.holder OR leases.expires <= ?"
                " RETURNING holder",
                (name, holder, now + float(ttl_s), now),
            ).fetchone()
        return row is not None

    @_locked
    def release_lease(self, name: str, holder: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM leases WHERE name=? AND holder=?", (name, holder))

    @_locked
    def lease_holder(self, name: str) -> str | None:
        row = self._db.execute("SELECT holder FROM leases WHERE name=? AND expires > ?", (name, time.time())).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------------ tenants and keys
    @_locked
    def create_tenant(self, name: str) -> None:
        _keys.check_tenant_name(name)
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO tenants(name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", (name, time.time())
            )
            if cur.rowcount == 0:
                raise StoreError(f"tenant {name!r} already exists (see `tracehound tenants list`)")

    @_locked
    def ensure_tenant(self, name: str) -> None:
        _keys.check_tenant_name(name)
        with self._transaction():
            self._db.execute(
                "INSERT INTO tenants(name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", (name, time.time())
            )

    @_locked
    def list_tenants(self) -> list[TenantRecord]:
        return [TenantRecord(n, c) for n, c in self._db.execute("SELECT name, created FROM tenants ORDER BY name")]

    @_locked
    def create_key(self, tenant: str, role: str) -> tuple[str, str]:
        _keys.check_role(role)
        with self._transaction():
            if self._db.execute("SELECT 1 FROM tenants WHERE name=?", (tenant,)).fetchone() is None:
                raise StoreError(
                    f"unknown tenant {tenant!r}: create it first with `tracehound tenants create {tenant}`"
                )
            key_id, key, digest = _keys.new_key()
            self._db.execute(
                "INSERT INTO api_keys(key_id, tenant, role, secret_hash, created) VALUES (?, ?, ?, ?, ?)",
                (key_id, tenant, role, digest, time.time()),
            )
        return key_id, key

    @_locked
    def list_keys(self, tenant: str | None = None) -> list[KeyRecord]:
        sql = "SELECT key_id, tenant, role, created, revoked FROM api_keys"
        params: tuple[Any, ...] = ()
        if tenant is not None:
            sql += " WHERE tenant=?"
            params = (tenant,)
        return [KeyRecord(*row) for row in self._db.execute(sql + " ORDER BY tenant, created, key_id", params)]

    @_locked
    def revoke_key(self, key_id: str) -> bool:
        with self._transaction():
            cur = self._db.execute(
                "UPDATE api_keys SET revoked=? WHERE key_id=? AND revoked IS NULL", (time.time(), key_id)
            )
        return cur.rowcount > 0

    @_locked
    def authenticate(self, presented: str) -> KeyInfo | None:
        parsed = _keys.parse_key(presented)
        if parsed is None:
            return None
        key_id, secret = parsed
        row = self._db.execute(
            "SELECT tenant, role, secret_hash, revoked FROM api_keys WHERE key_id=?", (key_id,)
        ).fetchone()
        if row is None:
            return None
        tenant, role, digest, revoked = row
        if not _keys.secret_matches(secret, digest) or revoked is not None:
            return None
        return KeyInfo(key_id, tenant, role)

    # ------------------------------------------------------------------ published inventory
    @_locked
    def replace_inventory(
        self, tenant: str, report: Mapping[str, Any], openapi: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        rows = _snapshot.snapshot_rows(tenant, report, openapi)
        with self._transaction():
            for table in _INVENTORY_TABLES:
                self._db.execute(f"DELETE FROM {table} WHERE tenant=?", (tenant,))
            self._db.executemany("INSERT INTO inv_endpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.endpoints)
            self._db.executemany("INSERT INTO inv_endpoint_sensitive VALUES (?, ?, ?)", rows.sensitive)
            self._db.executemany(
                "INSERT INTO inv_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.findings
            )
            self._db.executemany("INSERT INTO inv_services VALUES (?, ?, ?, ?, ?, ?)", rows.services)
            self._db.execute(
                "INSERT INTO inv_meta(tenant, summary, updated) VALUES (?, ?, ?)", (tenant, rows.summary, time.time())
            )

    @_locked
    def list_services(self, tenant: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT name, endpoints, findings, max_risk FROM inv_services WHERE tenant=? ORDER BY name", (tenant,)
        )
        return [{"name": n, "endpoints": e, "findings": f, "max_risk": r} for n, e, f, r in rows]

    @_locked
    def query_endpoints(self, tenant: str, query: EndpointQuery) -> Page:
        count_sql, page_sql, count_params, page_params = _snapshot.endpoint_query(tenant, query)
        total = int(self._db.execute(count_sql, count_params).fetchone()[0])
        items = [_snapshot.decode(r[0]) for r in self._db.execute(page_sql, page_params)]
        return Page(items, total, page_params[-2], page_params[-1])

    @_locked
    def get_endpoint(self, tenant: str, endpoint_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT entry FROM inv_endpoints WHERE tenant=? AND id=?", (tenant, endpoint_id)
        ).fetchone()
        return None if row is None else _snapshot.decode(row[0])

    @_locked
    def query_findings(self, tenant: str, query: FindingQuery) -> Page:
        count_sql, page_sql, count_params, page_params = _snapshot.finding_query(tenant, query)
        total = int(self._db.execute(count_sql, count_params).fetchone()[0])
        items = [_snapshot.decode(r[0]) for r in self._db.execute(page_sql, page_params)]
        return Page(items, total, page_params[-2], page_params[-1])

    @_locked
    def get_finding(self, tenant: str, finding_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT entry FROM inv_findings WHERE tenant=? AND id=?", (tenant, finding_id)
        ).fetchone()
        return None if row is None else _snapshot.decode(row[0])

    @_locked
    def service_openapi(self, tenant: str, service: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT openapi FROM inv_services WHERE tenant=? AND name=?", (tenant, service)
        ).fetchone()
        return None if row is None or row[0] is None else _snapshot.decode(row[0])

    @_locked
    def inventory_stats(self, tenant: str) -> dict[str, Any]:
        row = self._db.execute("SELECT summary, updated FROM inv_meta WHERE tenant=?", (tenant,)).fetchone()
        summary, updated = (None, None) if row is None else row
        return _snapshot.stats_of(summary, updated, self.totals(tenant))

    # ------------------------------------------------------------------ plumbing
    @_locked
    def ping(self) -> None:
        self._db.execute("SELECT 1").fetchone()

    def _transaction(self) -> _Tx:
        return _Tx(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()


_INVENTORY_TABLES = ("inv_endpoints", "inv_endpoint_sensitive", "inv_findings", "inv_services", "inv_meta")
_TENANT_DATA_TABLES = ("endpoints", "findings", "state", "tenant_totals", *_INVENTORY_TABLES)


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error; errors become StoreError."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"store write failed: {exc}") from exc
