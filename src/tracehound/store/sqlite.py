"""The SQLite store: one file, WAL journal, numbered migrations, merges inside one transaction.

Every write goes through this one connection (the Datasette habit of a single writer), so merges
never race; readers in other processes see committed states thanks to WAL.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import msgspec

from tracehound.errors import StoreError
from tracehound.profiles.endpoint import ENDPOINT_DECODER, ENDPOINT_ENCODER, EndpointProfile
from tracehound.profiles.findings import FINDING_DECODER, FINDING_ENCODER, FindingStats
from tracehound.store.base import EndpointKey, FindingKey, RunRecord

MAX_STORED_REJECTIONS = 1000
"""Rejections kept per run with their reason; the count is always exact."""


def _migrations(prefix: str) -> list[tuple[int, str]]:
    folder = resources.files("tracehound.store").joinpath("migrations")
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.startswith(prefix) and name.endswith(".sql"):
            out.append((int(name[len(prefix) : len(prefix) + 4]), entry.read_text(encoding="utf-8")))
    return sorted(out)


class SqliteStore:
    """Profiles, findings and runs in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
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
        for number, sql in _migrations("sqlite_"):
            if number > version:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in sql.split(";\n"):
                        if statement.strip():
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
    def merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None:
        now = time.time()
        with self._transaction():
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

    def merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None:
        now = time.time()
        with self._transaction():
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

    def load_findings(self, tenant: str) -> dict[FindingKey, FindingStats]:
        rows = self._db.execute(
            "SELECT type, service, method, template, location, stats FROM findings WHERE tenant=?", (tenant,)
        )
        return {FindingKey(t, s, m, tpl, loc): FINDING_DECODER.decode(blob) for t, s, m, tpl, loc, blob in rows}

    # ------------------------------------------------------------------ state
    def get_state(self, tenant: str, name: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM state WHERE tenant=? AND name=?", (tenant, name)).fetchone()
        return None if row is None else bytes(row[0])

    def put_state(self, tenant: str, name: str, value: bytes) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO state(tenant, name, value, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(tenant, name) DO UPDATE SET value=excluded.value, updated=excluded.updated",
                (tenant, name, value, time.time()),
            )

    # ------------------------------------------------------------------ runs
    def start_run(self, tenant: str, inputs: list[str]) -> int:
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO runs(tenant, started, inputs) VALUES (?, ?, ?)",
                (tenant, time.time(), json.dumps(inputs)),
            )
        return int(cur.lastrowid or 0)

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

    def runs(self, tenant: str) -> list[RunRecord]:
        rows = self._db.execute(
            "SELECT id, started, finished, inputs, transactions, rejected FROM runs WHERE tenant=? ORDER BY id",
            (tenant,),
        )
        return [RunRecord(i, s, f, json.loads(inp), t, r) for i, s, f, inp, t, r in rows]

    def totals(self, tenant: str) -> tuple[int, int]:
        """(transactions, rejected) over every run of the tenant."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(transactions), 0), COALESCE(SUM(rejected), 0) FROM runs WHERE tenant=?",
            (tenant,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def clear(self, tenant: str) -> None:
        """Forget everything of a tenant (``analyze --fresh``)."""
        with self._transaction():
            for table in ("endpoints", "findings", "state"):
                self._db.execute(f"DELETE FROM {table} WHERE tenant=?", (tenant,))
            self._db.execute("DELETE FROM rejections WHERE run_id IN (SELECT id FROM runs WHERE tenant=?)", (tenant,))
            self._db.execute("DELETE FROM runs WHERE tenant=?", (tenant,))

    # ------------------------------------------------------------------ plumbing
    def _transaction(self) -> _Tx:
        return _Tx(self._db)

    def close(self) -> None:
        self._db.close()


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
