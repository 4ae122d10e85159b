"""The analyzer: one active instance (a store lease) turns merged profiles into each tenant's inventory.

Workers merge provisional profiles; decisions that need the whole picture (collapsing
``/users/123`` and ``/users/456`` into ``/users/{userId}``, risk scores, what is *new*) are
taken here, periodically, over everything the store holds. Exactly one analyzer works at a time:
each cycle starts by taking or renewing the lease ``analyzer`` (ttl a few seconds); others stand
by and retry every interval, so when the active one dies a standby takes over within
``lease_ttl_s + interval_s``. The same store-agnostic code serves SQLite and PostgreSQL.

Per tenant, a cycle builds the inventory and the report (the ``analyze`` command's shapes),
renders per-service OpenAPI documents, publishes them with ``store.replace_inventory`` (what the
read API serves), and hands findings at or above the alert threshold that were never alerted on
to the :class:`~tracehound.cluster.alerts.AlertSender`; the keys alerted on live in store state
``alerts.sent`` so a failover does not repeat them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from typing import Any

from tracehound.analyzer.behaviour import behaviour_findings
from tracehound.analyzer.inventory import build_inventory
from tracehound.classifiers.engine import SensitiveDataEngine
from tracehound.cluster.alerts import Alert, AlertSender, finding_key
from tracehound.cluster.logging import event
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.store_thread import StoreThread
from tracehound.config import Settings
from tracehound.errors import StoreError
from tracehound.model import Severity
from tracehound.model.redaction import tags_for_tenant
from tracehound.pipeline.behaviour import BehaviourEngine
from tracehound.pipeline.stages import build_classifier
from tracehound.profiles.behaviour import STATE_NAME, decode_state
from tracehound.report.json_report import RunSummary, build_report
from tracehound.report.openapi import openapi_document
from tracehound.store.base import Store

__all__ = ["ALERT_STATE", "LEASE", "Analyzer", "analyze_tenant", "default_holder"]

log = logging.getLogger(__name__)

LEASE = "analyzer"
ALERT_STATE = "alerts.sent"
APPLIED_RETENTION_S = 24 * 3600.0
"""How long the record that a bus message was applied is kept (redelivery happens within minutes)."""
PRUNE_INTERVAL_S = 600.0


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def analyze_tenant(store: Store, settings: Settings, tenant: str, classifier: SensitiveDataEngine) -> dict[str, Any]:
    """Build and publish ``tenant``'s inventory; returns the report.

    Cross-request verdicts (BOLA, enumeration, rate abuse, credential stuffing...) are judged
    here, over the behaviour state every worker's deltas merged into, not by any one worker.
    """
    with tags_for_tenant(tenant):  # any secret tag made here is the tenant's
        return _analyze_tenant(store, settings, tenant, classifier)


def _analyze_tenant(store: Store, settings: Settings, tenant: str, classifier: SensitiveDataEngine) -> dict[str, Any]:
    endpoints = store.load_endpoints(tenant)
    findings = store.load_findings(tenant)
    state = decode_state(store.get_state(tenant, STATE_NAME))
    if state.endpoints:
        detectors = BehaviourEngine(disabled=settings.detection.disabled).detectors
        for key, stats in behaviour_findings(state, detectors).items():
            if key in findings:
                findings[key].merge(stats)
            else:
                findings[key] = stats
    inventory = build_inventory(
        endpoints, findings, (), pinned=settings.templates.pin, keep_literal=settings.templates.keep_literal
    )
    transactions, rejected = store.totals(tenant)

    report = build_report(inventory, RunSummary(transactions=transactions, rejected=rejected), classifier.is_reported)
    openapi = {name: openapi_document(name, eps) for name, eps in inventory.services.items()}
    store.replace_inventory(tenant, report, openapi)
    return report


class Analyzer:
    """``await analyzer.run(stop)``: a cycle every ``interval_s`` while holding the lease."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        *,
        alerts: AlertSender | None = None,
        holder: str | None = None,
        store_thread: StoreThread | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.options = settings.server.analyzer
        self.metrics = metrics
        self.alerts = alerts
        self.holder = holder or default_holder()
        self.thread = store_thread or StoreThread("analyzer-store")
        self.active = False
        self.problem: dict[str, str] = {}
        self._classifier: SensitiveDataEngine | None = None
        self._pruned_at = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        event(log, "analyzer.started", holder=self.holder, interval=self.options.interval_s)
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    await self.thread.call(self.cycle)
                    self.problem.pop("store", None)
                except StoreError as exc:
                    self.metrics.store_errors.inc()
                    self.problem["store"] = str(exc)
                    self._set_active(False)
                    event(log, "analyzer.store_error", logging.WARNING, error=str(exc))
                wait = max(self.options.interval_s - (time.monotonic() - started), 0.05)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
        finally:
            if self.active:
                try:
                    await self.thread.call(self.store.release_lease, LEASE, self.holder)
                except StoreError as exc:
                    event(log, "analyzer.release_failed", logging.WARNING, error=str(exc))
                self._set_active(False)
            event(log, "analyzer.stopped", holder=self.holder)

    def _set_active(self, active: bool) -> None:
        if active != self.active:
            event(log, "analyzer.active" if active else "analyzer.standby", holder=self.holder)
        self.active = active
        self.metrics.analyzer_active.set(1 if active else 0)

    def cycle(self) -> bool:
        """One cycle (synchronous, on the store thread); False when another analyzer is active."""
        store = self.store
        ttl = self.options.lease_ttl_s
        if not store.acquire_lease(LEASE, self.holder, ttl):
            self._set_active(False)
            return False
        self._set_active(True)
        started = time.perf_counter()
        if self._classifier is None:
            self._classifier = build_classifier(self.settings)
        for tenant in store.list_tenants():
            # Renew before each tenant: a long cycle must not outlive the lease unnoticed.
            if not store.acquire_lease(LEASE, self.holder, ttl):
                self._set_active(False)
                return False
            report = analyze_tenant(store, self.settings, tenant.name, self._classifier)
            self._alert(tenant.name, report)
        now = time.time()
        if now - self._pruned_at >= PRUNE_INTERVAL_S:
            # The exactly-once records of applied bus messages are needed only while a message
            # can still be redelivered; keep a day of them, not every message ever.
            store.forget_applied_before(now - APPLIED_RETENTION_S)
            self._pruned_at = now
        self.metrics.analyzer_cycles.inc()
        self.metrics.analyzer_seconds.observe(time.perf_counter() - started)
        return True

    def _alert(self, tenant: str, report: dict[str, Any]) -> None:
        if self.alerts is None or not self.alerts.enabled:
            return
        floor = self.alerts.min_severity_rank()
        candidates = []
        for finding in report.get("findings", []):
            try:
                rank = Severity(str(finding.get("severity"))).rank
            except ValueError:
                continue
            if rank >= floor:
                candidates.append(finding)
        if not candidates:
            return
        raw = self.store.get_state(tenant, ALERT_STATE)
        sent: set[str] = set(json.loads(raw)) if raw else set()
        new = [f for f in candidates if finding_key(f) not in sent]
        if not new:
            return
        # Remember first, then queue: at most once per finding, even across a failover.
        sent.update(finding_key(f) for f in new)
        self.store.put_state(tenant, ALERT_STATE, json.dumps(sorted(sent)).encode())
        for finding in new:
            self.alerts.submit(Alert(tenant, finding))
        event(log, "analyzer.alerts_queued", tenant=tenant, count=len(new))
