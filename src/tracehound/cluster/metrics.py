"""Prometheus metrics of the write path, one registry per service instance.

A registry per instance (not prometheus_client's global one) lets ``serve`` host the collector,
worker and analyzer in one process, and tests build many services, without duplicate-metric
errors. Names follow Prometheus conventions and are the ones the docs and dashboards use.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Every metric a collector, worker or analyzer exposes on ``/metrics``."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        # collector
        self.transactions_received = Counter(
            "tracehound_transactions_received", "Transactions accepted by the collector", registry=r
        )
        self.batches_received = Counter(
            "tracehound_batches_received", "Batches accepted by the collector (202)", ["duplicate"], registry=r
        )
        self.rejected = Counter(
            "tracehound_rejected", "Requests or transactions refused, by reason", ["reason"], registry=r
        )
        self.publish_seconds = Histogram(
            "tracehound_bus_publish_seconds", "Time from request to bus publish ack", registry=r
        )
        # worker
        self.transactions_processed = Counter(
            "tracehound_transactions_processed", "Transactions folded and committed by workers", registry=r
        )
        self.messages_redelivered = Counter(
            "tracehound_messages_skipped", "Bus messages skipped because already applied", registry=r
        )
        self.flush_seconds = Histogram("tracehound_flush_seconds", "Time to commit one delta to the store", registry=r)
        self.flush_conflicts = Counter(
            "tracehound_flush_conflicts", "Deltas re-folded because a seq was applied meanwhile", registry=r
        )
        self.store_errors = Counter("tracehound_store_errors", "Store operations that failed", registry=r)
        self.bus_errors = Counter("tracehound_bus_errors", "Bus operations that failed", registry=r)
        self.bus_lag = Gauge("tracehound_bus_lag", "Messages not yet acknowledged by the workers", registry=r)
        self.detector_errors = Counter(
            "tracehound_detector_errors", "Detector failures (contained)", ["detector"], registry=r
        )
        # analyzer
        self.analyzer_active = Gauge("tracehound_analyzer_active", "1 while this analyzer holds the lease", registry=r)
        self.analyzer_cycles = Counter("tracehound_analyzer_cycles", "Cycles run as the active analyzer", registry=r)
        self.analyzer_seconds = Histogram("tracehound_analyzer_cycle_seconds", "Time of one analyzer cycle", registry=r)
        # alerts
        self.alerts_sent = Counter("tracehound_alerts_sent", "Webhook alerts delivered", registry=r)
        self.alert_failures = Counter(
            "tracehound_alert_failures", "Webhook alerts given up after all attempts", registry=r
        )
        self.alerts_dropped = Counter("tracehound_alerts_dropped", "Alerts dropped: queue full", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
