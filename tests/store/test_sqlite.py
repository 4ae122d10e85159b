"""The SQLite store: migrations, merges that accumulate, tenants kept apart, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehound.errors import StoreError
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.store.base import EndpointKey, FindingKey
from tracehound.store.sqlite import SqliteStore

KEY = EndpointKey("api.example.com", "GET", "/users/{int}")
FKEY = FindingKey("sqli", "api.example.com", "GET", "/users/{int}", "request.query.q")


def profile(count: int) -> EndpointProfile:
    p = EndpointProfile()
    p.count = count
    p.statuses = {"200": count}
    return p


def test_migrates_to_the_latest_version_with_wal(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    version = store.schema_version
    assert version >= 1
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()
    again = SqliteStore(tmp_path / "t.db")
    assert again.schema_version == version


def test_merges_accumulate_across_writes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    store.merge_endpoints("default", {KEY: profile(2)})
    store.merge_endpoints("default", {KEY: profile(3)})
    loaded = store.load_endpoints("default")
    assert loaded[KEY].count == 5
    assert loaded[KEY].statuses == {"200": 5}
    stats = FindingStats()
    stats.add("high", 1.0, "203.0.113.1", "q=1' or 1=1")
    store.merge_findings("default", {FKEY: stats})
    store.merge_findings("default", {FKEY: stats})
    assert store.load_findings("default")[FKEY].count == 2


def test_tenants_are_isolated(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    store.merge_endpoints("acme", {KEY: profile(1)})
    assert store.load_endpoints("other") == {}
    store.clear("other")
    assert store.load_endpoints("acme")[KEY].count == 1
    store.clear("acme")
    assert store.load_endpoints("acme") == {}


def test_runs_record_totals_and_rejections(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    run = store.start_run("default", ["a.har"])
    store.finish_run(run, 10, 2, [("a.har", 3, "invalid JSON"), ("a.har", 7, "no url")])
    assert store.totals("default") == (10, 2)
    rows = store._db.execute("SELECT source, idx, reason FROM rejections").fetchall()
    assert rows == [("a.har", 3, "invalid JSON"), ("a.har", 7, "no url")]
    assert store.runs("default")[0].inputs == ["a.har"]


def test_state_blobs_round_trip(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    assert store.get_state("default", "x") is None
    store.put_state("default", "x", b"\x00\x01")
    store.put_state("default", "x", b"\x02")
    assert store.get_state("default", "x") == b"\x02"


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "not.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"not\.db"):
        SqliteStore(bad)
