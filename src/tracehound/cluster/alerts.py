"""Webhook alerts for new findings: generic JSON or Slack-compatible, retried, deduplicated, never blocking.

The analyzer decides *what* is new (it remembers the finding keys it has alerted on in store
state, so a restart or a failover does not alert twice); this module only delivers. Delivery runs
on its own thread behind a bounded queue: a slow or dead receiver costs the analyzer nothing, a
full queue drops the alert and counts it (``tracehound_alerts_dropped_total``), and a receiver that
keeps failing is retried with exponential backoff, then given up and counted
(``tracehound_alert_failures_total``).

Payloads: ``json`` posts ``{"event": "finding.new", "tenant": ..., "finding": <report finding>}``;
``slack`` posts ``{"text": "..."}`` (what Slack, Mattermost and most chat webhooks accept).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tracehound.cluster.logging import event
from tracehound.cluster.metrics import Metrics
from tracehound.config import AlertSettings, WebhookSettings
from tracehound.errors import ConfigError
from tracehound.model import Severity

__all__ = ["Alert", "AlertSender", "check_alert_settings", "finding_key", "render"]

log = logging.getLogger(__name__)

FORMATS = ("json", "slack")


def _severity(name: str, where: str) -> Severity:
    try:
        return Severity(name)
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{where}: unknown severity {name!r} (one of {known})") from None


def check_alert_settings(settings: AlertSettings) -> None:
    """Raise ConfigError naming the setting when a severity, format or URL is wrong."""
    _severity(settings.min_severity, "server.alerts.min_severity")
    for i, hook in enumerate(settings.webhooks):
        if hook.format not in FORMATS:
            raise ConfigError(f"server.alerts.webhooks[{i}].format: {hook.format!r} is not one of {FORMATS}")
        if not hook.url.startswith(("http://", "https://")):
            raise ConfigError(
                f"server.alerts.webhooks[{i}].url is not an http(s) URL (the URL is not shown: it holds a secret)"
            )
        if hook.min_severity is not None:
            _severity(hook.min_severity, f"server.alerts.webhooks[{i}].min_severity")


def finding_key(finding: dict[str, Any]) -> str:
    """A finding's identity across cycles: type, service, method, path template and location."""
    return "|".join(str(finding.get(k, "")) for k in ("type", "service", "method", "path", "location"))


@dataclass(frozen=True)
class Alert:
    tenant: str
    finding: dict[str, Any]


def render(alert: Alert, fmt: str) -> dict[str, Any]:
    f = alert.finding
    if fmt == "slack":
        text = (
            f":rotating_light: *{str(f.get('severity', '')).upper()}* {f.get('type')} on "
            f"`{f.get('method')} {f.get('service')}{f.get('path')}` ({f.get('location')}), "
            f"tenant {alert.tenant}, seen {f.get('count')} time(s)"
        )
        return {"text": text}
    return {"event": "finding.new", "tenant": alert.tenant, "finding": f}


class AlertSender:
    """Delivers alerts to the configured webhooks from a background thread."""

    def __init__(self, settings: AlertSettings, metrics: Metrics) -> None:
        check_alert_settings(settings)
        self.settings = settings
        self.metrics = metrics
        self.min_rank = Severity(settings.min_severity).rank
        self._queue: queue.Queue[tuple[WebhookSettings, Alert] | None] = queue.Queue(maxsize=settings.queue_size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracehound-alerts", daemon=True)
        self._thread.start()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.webhooks)

    def min_severity_rank(self) -> int:
        """The lowest severity any webhook wants (findings below it are never new for alerting)."""
        ranks = [Severity(h.min_severity).rank if h.min_severity else self.min_rank for h in self.settings.webhooks]
        return min(ranks, default=self.min_rank)

    def submit(self, alert: Alert) -> None:
        """Queue ``alert`` for every webhook whose threshold it meets; never blocks."""
        try:
            rank = Severity(str(alert.finding.get("severity"))).rank
        except ValueError:
            return
        for hook in self.settings.webhooks:
            wanted = Severity(hook.min_severity).rank if hook.min_severity else self.min_rank
            if rank < wanted:
                continue
            try:
                self._queue.put_nowait((hook, alert))
            except queue.Full:
                self.metrics.alerts_dropped.inc()
                event(log, "alerts.dropped", logging.WARNING, tenant=alert.tenant, reason="queue full")

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            hook, alert = item
            self._deliver(hook, alert)

    def _deliver(self, hook: WebhookSettings, alert: Alert) -> None:
        body = json.dumps(render(alert, hook.format)).encode()
        delay = self.settings.backoff_s
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                request = urllib.request.Request(  # noqa: S310 - URL checked: http(s) only
                    hook.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
                )
                with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:  # noqa: S310
                    if 200 <= response.status < 300:
                        self.metrics.alerts_sent.inc()
                        return
            except (urllib.error.URLError, OSError, ValueError) as exc:
                event(log, "alerts.attempt_failed", logging.DEBUG, attempt=attempt, error=repr(exc))
            if attempt < self.settings.max_attempts and not self._stop.wait(delay):
                delay *= 2
            elif self._stop.is_set():
                break
        self.metrics.alert_failures.inc()
        event(log, "alerts.failed", logging.WARNING, tenant=alert.tenant, type=alert.finding.get("type"))

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued for up to ``timeout`` seconds, then stop retrying."""
        deadline = time.monotonic() + timeout
        while self._queue.qsize() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(max(deadline - time.monotonic(), 0.5))
