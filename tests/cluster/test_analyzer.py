"""The analyzer's lease, published inventory and alerts, on a SQLite store and a real loopback HTTP receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest

from e2e._traffic import ndjson_batches
from tracehound.cluster.alerts import Alert, AlertSender, render
from tracehound.cluster.analyzer import ALERT_STATE, LEASE, Analyzer
from tracehound.cluster.batch import parse_ndjson
from tracehound.cluster.metrics import Metrics
from tracehound.config import AlertSettings, Settings, WebhookSettings
from tracehound.errors import ConfigError
from tracehound.pipeline.stages import build_pipeline
from tracehound.sources.ndjson import NdjsonRecord, record_to_transaction
from tracehound.store import open_store
from tracehound.store.base import Store


def fill(store: Store, tenant: str, total: int = 200) -> None:
    pipeline = build_pipeline(Settings())
    lines = parse_ndjson(b"".join(ndjson_batches(total, total)))
    for i, line in enumerate(lines):
        pipeline.process(record_to_transaction(msgspec.json.decode(line, type=NdjsonRecord), i, "t"))
    d = pipeline.flush()
    store.apply_delta(tenant, d.endpoints, d.findings, {}, "S", [hash(tenant) % 1000], total, 0)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/a.db"


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    s = open_store(db)
    s.create_tenant("acme")
    yield s
    s.close()


class Receiver:
    """A webhook receiver on loopback that fails the first ``fail`` requests with 500."""

    def __init__(self, fail: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(500)
                else:
                    outer.bodies.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(cond: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_only_the_lease_holder_works_and_a_standby_takes_over(db: str, store: Store) -> None:
    fill(store, "acme")
    settings = Settings()
    settings.server.analyzer.lease_ttl_s = 0.5
    other = open_store(db)
    a = Analyzer(store, settings, Metrics(), holder="a")
    b = Analyzer(other, settings, Metrics(), holder="b")
    assert a.cycle() is True
    assert b.cycle() is False
    assert (a.active, b.active) == (True, False)
    assert store.lease_holder(LEASE) == "a"
    time.sleep(0.6)  # "a" died: its lease expires
    assert b.cycle() is True
    assert a.cycle() is False
    assert other.lease_holder(LEASE) == "b"
    other.close()


def test_publishes_the_inventory_for_the_read_api(store: Store) -> None:
    fill(store, "acme")
    Analyzer(store, Settings(), Metrics(), holder="a").cycle()
    stats = store.inventory_stats("acme")
    assert stats["transactions"] == 200
    assert stats["endpoints"] >= 4
    assert stats["findings"] >= 1


def test_alerts_new_findings_once_in_json_and_slack(store: Store, receiver: Receiver) -> None:
    fill(store, "acme")
    alerts = AlertSettings(
        min_severity="low",
        webhooks=[WebhookSettings(url=receiver.url), WebhookSettings(url=receiver.url, format="slack")],
    )
    metrics = Metrics()
    sender = AlertSender(alerts, metrics)
    analyzer = Analyzer(store, Settings(), metrics, alerts=sender, holder="a")
    analyzer.cycle()
    queued = len(json.loads(store.get_state("acme", ALERT_STATE) or b"[]"))
    assert queued >= 1
    first = 2 * queued  # one per webhook
    wait_for(lambda: len(receiver.bodies) >= first)
    analyzer.cycle()  # nothing new: nothing sent
    # a restarted (or failed-over) analyzer remembers what was sent
    Analyzer(store, Settings(), metrics, alerts=sender, holder="a").cycle()
    sender.close()
    # Delivery is at least once: on a loaded machine a slow answer can be retried, so the
    # receiver may see a body twice; what matters is that no finding was queued again.
    assert len(json.loads(store.get_state("acme", ALERT_STATE) or b"[]")) == queued
    unique = {json.dumps(b, sort_keys=True) for b in receiver.bodies}
    assert len(unique) == first
    generic = [b for b in receiver.bodies if "event" in b]
    slack = [b for b in receiver.bodies if "text" in b]
    assert generic and len({json.dumps(b, sort_keys=True) for b in generic}) == first // 2
    assert len({json.dumps(b, sort_keys=True) for b in slack}) == first // 2
    assert generic[0]["event"] == "finding.new" and generic[0]["tenant"] == "acme"
    assert metrics.alerts_sent._value.get() == first


def test_failed_deliveries_are_retried_then_counted(receiver: Receiver) -> None:
    receiver.fail = 2
    metrics = Metrics()
    sender = AlertSender(
        AlertSettings(min_severity="info", webhooks=[WebhookSettings(url=receiver.url)], backoff_s=0.01), metrics
    )
    sender.submit(Alert("acme", {"type": "sqli", "severity": "high"}))
    wait_for(lambda: receiver.bodies)
    assert receiver.attempts == 3
    dead = AlertSender(
        AlertSettings(
            min_severity="info",
            webhooks=[WebhookSettings(url="http://127.0.0.1:9/nothing")],
            backoff_s=0.01,
            max_attempts=3,
        ),
        metrics,
    )
    started = time.monotonic()
    dead.submit(Alert("acme", {"type": "sqli", "severity": "high"}))
    assert time.monotonic() - started < 0.1  # never blocks the caller
    wait_for(lambda: metrics.alert_failures._value.get() == 1)
    sender.close()
    dead.close()


def test_a_full_queue_drops_and_counts(receiver: Receiver) -> None:
    metrics = Metrics()
    sender = AlertSender(
        AlertSettings(min_severity="info", webhooks=[WebhookSettings(url="http://127.0.0.1:9/x")], queue_size=1),
        metrics,
    )
    for _ in range(20):
        sender.submit(Alert("acme", {"type": "sqli", "severity": "high"}))
    assert metrics.alerts_dropped._value.get() >= 18
    sender.close(timeout=0.1)


def test_below_threshold_is_not_sent(receiver: Receiver) -> None:
    sender = AlertSender(AlertSettings(min_severity="high", webhooks=[WebhookSettings(url=receiver.url)]), Metrics())
    sender.submit(Alert("acme", {"type": "x", "severity": "medium"}))
    sender.close()
    assert receiver.bodies == []


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        (AlertSettings(min_severity="urgent"), "min_severity"),
        (AlertSettings(webhooks=[WebhookSettings(url="ftp://x")]), "url"),
        (AlertSettings(webhooks=[WebhookSettings(url="http://x", format="teams")]), "format"),
    ],
)
def test_bad_alert_settings_name_the_setting(alerts: AlertSettings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AlertSender(alerts, Metrics())


def test_slack_text_names_the_finding() -> None:
    text = render(Alert("acme", {"type": "sqli", "severity": "high", "method": "GET", "path": "/a"}), "slack")["text"]
    assert "HIGH" in text and "sqli" in text and "/a" in text


def test_a_cycle_forgets_applied_records_older_than_a_day(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.apply_delta("acme", {}, {}, {}, "traffic", [1], 1, 0)
    analyzer = Analyzer(store, Settings(), Metrics(), holder="a")
    assert analyzer.cycle()
    assert store.applied("traffic", [1]) == {1}, "a fresh record is kept"
    later = time.time() + 2 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    analyzer = Analyzer(store, Settings(), Metrics(), holder="a")
    assert analyzer.cycle()
    assert store.applied("traffic", [1]) == set()


def test_the_published_inventory_holds_api_endpoints_not_assets(store: Store) -> None:
    from tracehound.model import Transaction
    from tracehound.store.base import EndpointQuery

    pipeline = build_pipeline(Settings())
    calls = [("/api/users/1", "application/json", b'{"id": 1}'), ("/static/app.js", "text/javascript", b"var a;")]
    calls += [("/static/site.css", "text/css", b"a{}"), ("/", "text/html", b"<!doctype html>")]
    for i, (path, ctype, body) in enumerate(calls):
        tx = Transaction(
            seq=i, source="t", method="GET", scheme="https", host="www.example.com", path=path, status=200,
            response_headers=(("content-type", ctype),), response_body=body,
        )  # fmt: skip
        pipeline.process(tx)
    d = pipeline.flush()
    store.apply_delta("acme", d.endpoints, d.findings, {}, "S", [1], len(calls), 0)
    Analyzer(store, Settings(), Metrics(), holder="a").cycle()
    page = store.query_endpoints("acme", EndpointQuery())
    assert [(e["path"], e["kind"]) for e in page.items] == [("/api/users/{userId}", "api")]
    assert store.inventory_stats("acme")["endpoints"] == 1
