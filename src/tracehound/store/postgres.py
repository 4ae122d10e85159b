"""The PostgreSQL store: the cluster's shared state, written by many workers at once.

Every write is one transaction on a pooled connection (psycopg 3, sync: workers call the store
from threads). Merges lock the rows they read (``SELECT ... FOR UPDATE`` in key order, then
``INSERT ... ON CONFLICT DO NOTHING`` for new keys and a re-read of any key a concurrent writer
created first), so concurrent deltas never lose each other's counts. Deadlocks, serialization
failures and dropped connections are retried a few times with backoff; what still fails becomes
a ``StoreError`` that says so, and the caller retries later (a worker does not ack its messages).
A connection error during COMMIT is ambiguous; ``apply_delta`` is safe to retry because its
(stream, seq) records make a second application a no-op, the plain merges are not retried then.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from tracehound.errors import StoreError
from tracehound.model.redaction import redact_url
from tracehound.profiles.endpoint import ENDPOINT_DECODER, ENDPOINT_ENCODER, EndpointProfile
from tracehound.profiles.findings import FINDING_DECODER, FINDING_ENCODER, FindingStats
from tracehound.store import _keys, _snapshot
from tracehound.store._migrations import migrations
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
RETRIES = 5
MIGRATION_LOCK = 0x7472_6163  # advisory lock id: one migrator at a time across processes

_R = TypeVar("_R")
Cursor = psycopg.Cursor[Any]

_TRANSIENT = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
_CONNECTION = (psycopg.OperationalError,)


def _q(sql: str) -> str:
    """Shared ``?`` SQL (``_snapshot``) in psycopg's placeholder style."""
    return sql.replace("?", "%s")


class PostgresStore:
    """Profiles, findings, runs, keys and the published inventory in PostgreSQL."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10, timeout: float = 10.0) -> None:
        self.url = url
        self._where = redact_url(url)
        self._pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            timeout=timeout,
            reconnect_timeout=60.0,
            name="tracehound-store",
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(
                f"cannot connect to the store {self._where} within {timeout:g}s: is PostgreSQL up?"
            ) from exc
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    # ------------------------------------------------------------------ plumbing
    def _run(self, work: Callable[[Cursor], _R], *, write: bool = True, retry_commit: bool = True) -> _R:
        """``work`` in one transaction (reads: autocommit), retrying transient failures."""
        delay = 0.05
        for attempt in range(RETRIES):
            last = attempt == RETRIES - 1
            try:
                with self._pool.connection() as conn:
                    if write:
                        with conn.transaction(), conn.cursor() as cur:
                            return work(cur)
                    with conn.cursor() as cur:
                        return work(cur)
            except _TRANSIENT as exc:
                if last:
                    raise StoreError(
                        f"store {self._where}: gave up after {RETRIES} attempts on write conflicts ({exc}); retry later"
                    ) from exc
            except PoolTimeout as exc:  # the pool already waited ``timeout`` for a connection
                raise StoreError(f"store {self._where} unreachable: {exc}; retry when it is back") from exc
            except _CONNECTION as exc:
                if last or (write and not retry_commit):
                    raise StoreError(f"store {self._where} unreachable: {exc}; retry when it is back") from exc
            except psycopg.Error as exc:
                raise StoreError(f"store {self._where}: {exc}") from exc
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    def _migrate(self) -> None:
        def work(cur: Cursor) -> None:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied DOUBLE PRECISION)"
            )
            row = cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
            version = int(row[0]) if row else 0
            for number, sql in migrations("postgres"):
                if number > version:
                    cur.execute(sql.encode())
                    cur.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (number, time.time()))

        self._run(work)

    @property
    def schema_version(self) -> int:
        def work(cur: Cursor) -> int:
            row = cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
            return int(row[0]) if row else 0

        return self._run(work, write=False)

    def ping(self) -> None:
        self._run(lambda cur: cur.execute("SELECT 1").fetchone(), write=False)

    def close(self) -> None:
        self._pool.close()

    # ------------------------------------------------------------------ profiles
    def merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None:
        self._run(lambda cur: _merge_endpoints(cur, tenant, delta), retry_commit=False)

    def merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None:
        self._run(lambda cur: _merge_findings(cur, tenant, delta), retry_commit=False)

    def load_endpoints(self, tenant: str) -> dict[EndpointKey, EndpointProfile]:
        def work(cur: Cursor) -> dict[EndpointKey, EndpointProfile]:
            cur.execute(
                "SELECT service, method, template, profile FROM endpoints WHERE tenant=%s ORDER BY 1, 3, 2", (tenant,)
            )
            return {EndpointKey(s, m, t): ENDPOINT_DECODER.decode(p) for s, m, t, p in cur}

        return self._run(work, write=False)

    def load_findings(self, tenant: str) -> dict[FindingKey, FindingStats]:
        def work(cur: Cursor) -> dict[FindingKey, FindingStats]:
            cur.execute(
                "SELECT type, service, method, template, location, stats FROM findings WHERE tenant=%s", (tenant,)
            )
            return {FindingKey(t, s, m, tpl, loc): FINDING_DECODER.decode(b) for t, s, m, tpl, loc, b in cur}

        return self._run(work, write=False)

    # ------------------------------------------------------------------ state
    def get_state(self, tenant: str, name: str) -> bytes | None:
        def work(cur: Cursor) -> bytes | None:
            row = cur.execute("SELECT value FROM state WHERE tenant=%s AND name=%s", (tenant, name)).fetchone()
            return None if row is None else bytes(row[0])

        return self._run(work, write=False)

    def put_state(self, tenant: str, name: str, value: bytes) -> None:
        self._run(lambda cur: _put_state(cur, tenant, name, value))

    def add_state(self, tenant: str, name: str, value: bytes) -> bytes:
        def work(cur: Cursor) -> bytes:
            cur.execute(
                "INSERT INTO state(tenant, name, value, updated) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT(tenant, name) DO NOTHING",
                (tenant, name, value, time.time()),
            )
            row = cur.execute("SELECT value FROM state WHERE tenant=%s AND name=%s", (tenant, name)).fetchone()
            assert row is not None  # inserted above or by the writer it waited for
            return bytes(row[0])

        return self._run(work)

    # ------------------------------------------------------------------ deltas from the bus
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
        unique = sorted({int(s) for s in seqs})

        class _Duplicate(Exception):
            pass

        def work(cur: Cursor) -> bool:
            now = time.time()
            if unique:
                cur.execute(
                    "INSERT INTO applied_messages(stream, seq, applied) SELECT %s, s, %s FROM unnest(%s::bigint[]) s"
                    " ON CONFLICT DO NOTHING",
                    (stream, now, unique),
                )
                if cur.rowcount != len(unique):
                    raise _Duplicate
            _merge_endpoints(cur, tenant, endpoints)
            _merge_findings(cur, tenant, findings)
            for name in sorted(states):
                value = states[name]
                if merge_state is not None:
                    row = cur.execute(
                        "SELECT value FROM state WHERE tenant=%s AND name=%s FOR UPDATE", (tenant, name)
                    ).fetchone()
                    if row is None:
                        cur.execute(
                            "INSERT INTO state(tenant, name, value, updated) VALUES (%s, %s, %s, %s)"
                            " ON CONFLICT DO NOTHING",
                            (tenant, name, merge_state(name, None, value), now),
                        )
                        if cur.rowcount == 1:
                            continue
                        row = cur.execute(
                            "SELECT value FROM state WHERE tenant=%s AND name=%s FOR UPDATE", (tenant, name)
                        ).fetchone()
                    value = merge_state(name, None if row is None else bytes(row[0]), value)
                _put_state(cur, tenant, name, value)
            if transactions or rejected:
                cur.execute(
                    "INSERT INTO tenant_totals(tenant, transactions, rejected) VALUES (%s, %s, %s)"
                    " ON CONFLICT(tenant) DO UPDATE SET transactions = tenant_totals.transactions"
                    " + excluded.transactions, rejected = tenant_totals.rejected + excluded.rejected",
                    (tenant, int(transactions), int(rejected)),
                )
            return True

        try:
            return self._run(work)
        except _Duplicate:
            return False

    def applied(self, stream: str, seqs: Sequence[int]) -> set[int]:
        unique = sorted({int(s) for s in seqs})
        if not unique:
            return set()

        def work(cur: Cursor) -> set[int]:
            cur.execute(
                "SELECT seq FROM applied_messages WHERE stream=%s AND seq = ANY(%s::bigint[])", (stream, unique)
            )
            return {int(r[0]) for r in cur}

        return self._run(work, write=False)

    def prune_applied(self, stream: str, below: int) -> int:
        def work(cur: Cursor) -> int:
            cur.execute("DELETE FROM applied_messages WHERE stream=%s AND seq < %s", (stream, int(below)))
            return int(cur.rowcount)

        return self._run(work)

    def forget_applied_before(self, timestamp: float) -> int:
        def work(cur: Cursor) -> int:
            cur.execute("DELETE FROM applied_messages WHERE applied < %s", (float(timestamp),))
            return int(cur.rowcount)

        return self._run(work)

    # ------------------------------------------------------------------ runs
    def start_run(self, tenant: str, inputs: list[str]) -> int:
        def work(cur: Cursor) -> int:
            row = cur.execute(
                "INSERT INTO runs(tenant, started, inputs) VALUES (%s, %s, %s) RETURNING id",
                (tenant, time.time(), json.dumps(inputs)),
            ).fetchone()
            assert row is not None
            return int(row[0])

        return self._run(work, retry_commit=False)

    def finish_run(self, run_id: int, transactions: int, rejected: int, rejections: list[tuple[str, int, str]]) -> None:
        def work(cur: Cursor) -> None:
            cur.execute(
                "UPDATE runs SET finished=%s, transactions=%s, rejected=%s WHERE id=%s",
                (time.time(), transactions, rejected, run_id),
            )
            cur.executemany(
                "INSERT INTO rejections(run_id, source, idx, reason) VALUES (%s, %s, %s, %s)",
                [(run_id, s, i, r) for s, i, r in rejections[:MAX_STORED_REJECTIONS]],
            )

        self._run(work, retry_commit=False)

    def runs(self, tenant: str) -> list[RunRecord]:
        def work(cur: Cursor) -> list[RunRecord]:
            cur.execute(
                "SELECT id, started, finished, inputs, transactions, rejected FROM runs WHERE tenant=%s ORDER BY id",
                (tenant,),
            )
            return [RunRecord(i, s, f, json.loads(inp), t, r) for i, s, f, inp, t, r in cur]

        return self._run(work, write=False)

    def totals(self, tenant: str) -> tuple[int, int]:
        def work(cur: Cursor) -> tuple[int, int]:
            row = cur.execute(
                "SELECT COALESCE(SUM(transactions), 0), COALESCE(SUM(rejected), 0) FROM ("
                " SELECT transactions, rejected FROM runs WHERE tenant=%s"
                " UNION ALL SELECT transactions, rejected FROM tenant_totals WHERE tenant=%s) t",
                (tenant, tenant),
            ).fetchone()
            assert row is not None
            return int(row[0]), int(row[1])

        return self._run(work, write=False)

    def clear(self, tenant: str) -> None:
        def work(cur: Cursor) -> None:
            for table in _TENANT_DATA_TABLES:
                cur.execute(f"DELETE FROM {table} WHERE tenant=%s", (tenant,))
            cur.execute("DELETE FROM runs WHERE tenant=%s", (tenant,))

        self._run(work)

    # ------------------------------------------------------------------ leases
    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool:
        # The database's clock decides expiry, so machines with skewed clocks agree.
        def work(cur: Cursor) -> bool:
            row = cur.execute(
                "WITH now AS (SELECT extract(epoch FROM clock_timestamp())::double precision AS t)"
                " INSERT INTO leases(name, holder, expires) SELECT %s, %s, now.t + %s FROM now"
                " ON CONFLICT(name) DO UPDATE SET holder=excluded.holder, expires=excluded.expires"
                " WHERE leases.holder = excluded.holder"
                " OR leases.expires <= extract(epoch FROM clock_timestamp())::double precision"
                " RETURNING holder",
                (name, holder, float(ttl_s)),
            ).fetchone()
            return row is not None

        return self._run(work)

    def release_lease(self, name: str, holder: str) -> None:
        self._run(lambda cur: cur.execute("DELETE FROM leases WHERE name=%s AND holder=%s", (name, holder)))

    def lease_holder(self, name: str) -> str | None:
        def work(cur: Cursor) -> str | None:
            row = cur.execute(
                "SELECT holder FROM leases WHERE name=%s"
                " AND expires > extract(epoch FROM clock_timestamp())::double precision",
                (name,),
            ).fetchone()
            return None if row is None else str(row[0])

        return self._run(work, write=False)

    # ------------------------------------------------------------------ tenants and keys
    def create_tenant(self, name: str) -> None:
        _keys.check_tenant_name(name)

        def work(cur: Cursor) -> int:
            cur.execute(
                "INSERT INTO tenants(name, created) VALUES (%s, %s) ON CONFLICT DO NOTHING", (name, time.time())
            )
            return int(cur.rowcount)

        if self._run(work) == 0:
            raise StoreError(f"tenant {name!r} already exists (see `tracehound tenants list`)")

    def ensure_tenant(self, name: str) -> None:
        _keys.check_tenant_name(name)
        self._run(
            lambda cur: cur.execute(
                "INSERT INTO tenants(name, created) VALUES (%s, %s) ON CONFLICT DO NOTHING", (name, time.time())
            )
        )

    def list_tenants(self) -> list[TenantRecord]:
        def work(cur: Cursor) -> list[TenantRecord]:
            return [TenantRecord(n, c) for n, c in cur.execute("SELECT name, created FROM tenants ORDER BY name")]

        return self._run(work, write=False)

    def create_key(self, tenant: str, role: str) -> tuple[str, str]:
        _keys.check_role(role)
        key_id, key, digest = _keys.new_key()

        def work(cur: Cursor) -> bool:
            if cur.execute("SELECT 1 FROM tenants WHERE name=%s", (tenant,)).fetchone() is None:
                return False
            cur.execute(
                "INSERT INTO api_keys(key_id, tenant, role, secret_hash, created) VALUES (%s, %s, %s, %s, %s)",
                (key_id, tenant, role, digest, time.time()),
            )
            return True

        if not self._run(work, retry_commit=False):
            raise StoreError(f"unknown tenant {tenant!r}: create it first with `tracehound tenants create {tenant}`")
        return key_id, key

    def list_keys(self, tenant: str | None = None) -> list[KeyRecord]:
        def work(cur: Cursor) -> list[KeyRecord]:
            sql = "SELECT key_id, tenant, role, created, revoked FROM api_keys"
            params: tuple[Any, ...] = ()
            if tenant is not None:
                sql += " WHERE tenant=%s"
                params = (tenant,)
            return [KeyRecord(*row) for row in cur.execute(sql + " ORDER BY tenant, created, key_id", params)]

        return self._run(work, write=False)

    def revoke_key(self, key_id: str) -> bool:
        def work(cur: Cursor) -> bool:
            cur.execute("UPDATE api_keys SET revoked=%s WHERE key_id=%s AND revoked IS NULL", (time.time(), key_id))
            return cur.rowcount > 0

        return self._run(work)

    def authenticate(self, presented: str) -> KeyInfo | None:
        parsed = _keys.parse_key(presented)
        if parsed is None:
            return None
        key_id, secret = parsed

        def work(cur: Cursor) -> tuple[Any, ...] | None:
            return cur.execute(
                "SELECT tenant, role, secret_hash, revoked FROM api_keys WHERE key_id=%s", (key_id,)
            ).fetchone()

        row = self._run(work, write=False)
        if row is None:
            return None
        tenant, role, digest, revoked = row
        if not _keys.secret_matches(secret, digest) or revoked is not None:
            return None
        return KeyInfo(key_id, tenant, role)

    # ------------------------------------------------------------------ published inventory
    def replace_inventory(
        self, tenant: str, report: Mapping[str, Any], openapi: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        rows = _snapshot.snapshot_rows(tenant, report, openapi)

        def work(cur: Cursor) -> None:
            # One publisher per tenant at a time; readers keep seeing the previous snapshot (MVCC).
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('inventory:' || %s))", (tenant,))
            for table in _INVENTORY_TABLES:
                cur.execute(f"DELETE FROM {table} WHERE tenant=%s", (tenant,))
            for table, data in (
                ("inv_endpoints", rows.endpoints),
                ("inv_endpoint_sensitive", rows.sensitive),
                ("inv_findings", rows.findings),
                ("inv_services", rows.services),
            ):
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    for r in data:
                        copy.write_row(r)
            cur.execute(
                "INSERT INTO inv_meta(tenant, summary, updated) VALUES (%s, %s, %s)",
                (tenant, rows.summary, time.time()),
            )

        self._run(work)

    def list_services(self, tenant: str) -> list[dict[str, Any]]:
        def work(cur: Cursor) -> list[dict[str, Any]]:
            cur.execute(
                "SELECT name, endpoints, findings, max_risk FROM inv_services WHERE tenant=%s ORDER BY name", (tenant,)
            )
            return [{"name": n, "endpoints": e, "findings": f, "max_risk": r} for n, e, f, r in cur]

        return self._run(work, write=False)

    def _page(self, sqls: tuple[str, str, list[Any], list[Any]]) -> Page:
        count_sql, page_sql, count_params, page_params = sqls

        def work(cur: Cursor) -> Page:
            row = cur.execute(_q(count_sql), count_params).fetchone()
            total = int(row[0]) if row else 0
            items = [_snapshot.decode(r[0]) for r in cur.execute(_q(page_sql), page_params)]
            return Page(items, total, page_params[-2], page_params[-1])

        return self._run(work, write=False)

    def query_endpoints(self, tenant: str, query: EndpointQuery) -> Page:
        return self._page(_snapshot.endpoint_query(tenant, query))

    def query_findings(self, tenant: str, query: FindingQuery) -> Page:
        return self._page(_snapshot.finding_query(tenant, query))

    def _one_json(self, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        def work(cur: Cursor) -> dict[str, Any] | None:
            row = cur.execute(sql, params).fetchone()
            return None if row is None or row[0] is None else _snapshot.decode(row[0])

        return self._run(work, write=False)

    def get_endpoint(self, tenant: str, endpoint_id: str) -> dict[str, Any] | None:
        return self._one_json("SELECT entry FROM inv_endpoints WHERE tenant=%s AND id=%s", (tenant, endpoint_id))

    def get_finding(self, tenant: str, finding_id: str) -> dict[str, Any] | None:
        return self._one_json("SELECT entry FROM inv_findings WHERE tenant=%s AND id=%s", (tenant, finding_id))

    def service_openapi(self, tenant: str, service: str) -> dict[str, Any] | None:
        return self._one_json("SELECT openapi FROM inv_services WHERE tenant=%s AND name=%s", (tenant, service))

    def inventory_stats(self, tenant: str) -> dict[str, Any]:
        def work(cur: Cursor) -> tuple[Any, ...] | None:
            return cur.execute("SELECT summary, updated FROM inv_meta WHERE tenant=%s", (tenant,)).fetchone()

        row = self._run(work, write=False)
        summary, updated = (None, None) if row is None else row
        return _snapshot.stats_of(summary, updated, self.totals(tenant))


_INVENTORY_TABLES = ("inv_endpoints", "inv_endpoint_sensitive", "inv_findings", "inv_services", "inv_meta")
_TENANT_DATA_TABLES = ("endpoints", "findings", "state", "tenant_totals", *_INVENTORY_TABLES)


def _put_state(cur: Cursor, tenant: str, name: str, value: bytes) -> None:
    cur.execute(
        "INSERT INTO state(tenant, name, value, updated) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT(tenant, name) DO UPDATE SET value=excluded.value, updated=excluded.updated",
        (tenant, name, value, time.time()),
    )


def _merge_blobs(
    cur: Cursor,
    table: str,
    key_cols: tuple[str, ...],
    blob_col: str,
    tenant: str,
    delta: Mapping[tuple[str, ...], bytes],
    merge: Callable[[bytes, tuple[str, ...]], bytes],
) -> None:
    """Merge encoded deltas into ``table`` under row locks: lock existing, insert new, merge the rest."""
    if not delta:
        return
    keys = sorted(delta)
    cols = ", ".join(key_cols)
    arrays = ", ".join("%s::text[]" for _ in key_cols)
    match = " AND ".join(f"t.{c} = v.{c}" for c in key_cols)

    def lock(wanted: list[tuple[str, ...]]) -> dict[tuple[str, ...], bytes]:
        cur.execute(
            f"SELECT {', '.join('t.' + c for c in key_cols)}, t.{blob_col} FROM {table} t"
            f" JOIN unnest({arrays}) AS v({cols}) ON {match}"
            f" WHERE t.tenant = %s ORDER BY {', '.join('t.' + c for c in key_cols)} FOR UPDATE OF t",
            [*(list(c) for c in zip(*wanted)), tenant],
        )
        return {tuple(r[:-1]): bytes(r[-1]) for r in cur.fetchall()}

    existing = lock(keys)
    now = time.time()
    missing = [k for k in keys if k not in existing]
    if missing:
        mcols = list(zip(*missing))
        cur.execute(
            f"INSERT INTO {table}(tenant, {cols}, {blob_col}, updated)"
            f" SELECT %s, {cols}, b, %s FROM unnest({arrays}, %s::bytea[]) AS v({cols}, b)"
            f" ON CONFLICT DO NOTHING RETURNING {cols}",
            [tenant, now, *(list(c) for c in mcols), [delta[k] for k in missing]],
        )
        inserted = {tuple(r) for r in cur.fetchall()}
        raced = [k for k in missing if k not in inserted]
        if raced:  # a concurrent writer created these rows first: merge into theirs
            existing.update(lock(raced))
    if not existing:
        return
    merged_keys = sorted(existing)
    merged = [merge(existing[k], k) for k in merged_keys]
    cur.execute(
        f"UPDATE {table} t SET {blob_col} = v.b, updated = %s"
        f" FROM unnest({arrays}, %s::bytea[]) AS v({cols}, b) WHERE t.tenant = %s AND {match}",
        [now, *(list(c) for c in zip(*merged_keys)), merged, tenant],
    )


def _merge_endpoints(cur: Cursor, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None:
    def merge(stored: bytes, key: tuple[str, ...]) -> bytes:
        profile = ENDPOINT_DECODER.decode(stored)
        profile.merge(delta[EndpointKey(*key)])
        return ENDPOINT_ENCODER.encode(profile)

    encoded = {tuple(k): ENDPOINT_ENCODER.encode(p) for k, p in delta.items()}
    _merge_blobs(cur, "endpoints", ("service", "method", "template"), "profile", tenant, encoded, merge)


def _merge_findings(cur: Cursor, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None:
    def merge(stored: bytes, key: tuple[str, ...]) -> bytes:
        stats = FINDING_DECODER.decode(stored)
        stats.merge(delta[FindingKey(*key)])
        return FINDING_ENCODER.encode(stats)

    encoded = {tuple(k): FINDING_ENCODER.encode(s) for k, s in delta.items()}
    _merge_blobs(
        cur, "findings", ("type", "service", "method", "template", "location"), "stats", tenant, encoded, merge
    )
