"""Workers: fold transaction batches from the bus into deltas and commit them exactly once.

A worker is the ARCHITECTURE.md fold loop over a bus: fetch a few collector batches, skip the
ones the store already applied (redeliveries after a crash), run the pipeline per tenant, and
commit each tenant's delta with ``store.apply_delta``, which records the stream sequences it
covers in the same transaction. Messages are acknowledged only after that commit, so a worker
dying anywhere loses nothing (unacked messages are redelivered) and counts nothing twice (an
applied sequence is recognised). Every worker binds the same durable consumer and the stream is a
work queue, so adding workers adds throughput.

Failure handling:

- ``apply_delta`` returns False when another worker committed one of the sequences meanwhile
  (a redelivery raced the original): the worker asks which, drops them and re-folds the rest.
- A :class:`~tracehound.errors.StoreError` (database down or restarting) keeps the messages
  unacked; the worker extends their ack wait and retries with exponential backoff, re-checking
  what was applied first, since a commit may have succeeded just before the connection dropped.
- A :class:`~tracehound.errors.BusError` on fetch or ack is retried after a pause; an ack that
  was lost only causes a redelivery that the store then skips.
- SIGTERM sets the stop event: the worker finishes and acknowledges what it holds, then returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracehound.bus.base import Bus, Message
from tracehound.cluster.batch import BatchError, decode_message, is_traffic
from tracehound.cluster.logging import event
from tracehound.cluster.metrics import Metrics
from tracehound.cluster.store_thread import StoreThread
from tracehound.config import Settings
from tracehound.errors import BusError, StoreError
from tracehound.model.redaction import tags_for_tenant
from tracehound.pipeline.behaviour import BehaviourEngine
from tracehound.pipeline.runner import Deltas, Pipeline
from tracehound.pipeline.stages import build_pipeline
from tracehound.profiles.behaviour import STATE_NAME, decode_state, encode_state
from tracehound.store.base import Store

__all__ = ["Worker", "fold_batches"]

log = logging.getLogger(__name__)

LAG_INTERVAL_S = 5.0
BASELINE_REFRESH_S = 60.0
"""How long a worker judges a tenant against the baseline it loaded before reloading it."""


@dataclass
class TenantFold:
    """What one tenant's messages of a fetch folded into."""

    deltas: Deltas
    seqs: list[int]
    transactions: int = 0
    rejected: int = 0
    states: dict[str, bytes] = field(default_factory=dict)


PipelineFactory = Callable[[str], Pipeline]
"""Builds a fresh pipeline (empty deltas) for a tenant."""


def fold_batches(messages: Sequence[Message], new_pipeline: PipelineFactory) -> dict[str, TenantFold]:
    """Fold every message's transactions, per tenant (pure: no store, no bus)."""
    pipelines: dict[str, Pipeline] = {}
    folds: dict[str, TenantFold] = {}
    for msg in messages:
        try:
            tenant, items = decode_message(msg.payload, f"bus:{msg.stream_seq}")
        except BatchError as exc:
            # Not written by a collector of this version: keep its seq so it is acked once, count it.
            event(log, "worker.bad_message", logging.WARNING, seq=msg.stream_seq, reason=exc.reason)
            tenant, items = "", iter(())
        pipeline = pipelines.get(tenant)
        if pipeline is None:
            pipeline = pipelines[tenant] = new_pipeline(tenant)
            folds[tenant] = TenantFold(Deltas(), [])
        fold = folds[tenant]
        fold.seqs.append(msg.stream_seq)
        # Secret tags and principal ids are keyed per tenant: one worker serves them all.
        with tags_for_tenant(tenant):
            for item in items:
                if isinstance(item, BatchError):
                    fold.rejected += 1
                    continue
                pipeline.process(item)
                fold.transactions += 1
    for tenant, pipeline in pipelines.items():
        with tags_for_tenant(tenant):
            deltas = pipeline.flush()
        folds[tenant].deltas = deltas
        if deltas.behaviour is not None and deltas.behaviour.endpoints:
            folds[tenant].states = {STATE_NAME: encode_state(deltas.behaviour)}
    return folds


def merge_behaviour_state(name: str, stored: bytes | None, delta: bytes) -> bytes:
    """The store's merge of a worker's behaviour delta into the tenant's state (same transaction)."""
    state = decode_state(stored)
    state.merge(decode_state(delta))
    return encode_state(state)


class Worker:
    """One worker: ``await worker.run(stop)`` until ``stop`` is set, then drains and returns."""

    def __init__(
        self,
        bus: Bus,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        *,
        store_thread: StoreThread | None = None,
        pipeline_factory: PipelineFactory | None = None,
        name: str = "worker",
    ) -> None:
        self.bus = bus
        self.store = store
        self.settings = settings
        self.options = settings.server.worker
        self.metrics = metrics
        self.name = name
        self.thread = store_thread or StoreThread(f"{name}-store")
        self.consumer = bus.consumer(self.options.durable)
        self._base: Pipeline | None = None
        self._engines: dict[str, tuple[BehaviourEngine, float]] = {}
        self._pipeline_factory = pipeline_factory or self._default_pipeline
        self._detector_errors: Counter[str] = Counter()
        self.last_ok = time.monotonic()
        self.problem: dict[str, str] = {}

    def _default_pipeline(self, tenant: str) -> Pipeline:
        # The classifier and signature engines are compiled once and shared; deltas are per fold, and
        # behaviour engines per tenant (they hold that tenant's learned baseline, never another's).
        if self._base is None:
            self._base = build_pipeline(self.settings)
        return dataclasses.replace(self._base, deltas=Deltas(), behaviour=self._behaviour_for(tenant))

    def _behaviour_for(self, tenant: str) -> BehaviourEngine:
        """The tenant's behaviour engine, primed with what the store learned (refreshed periodically)."""
        now = time.monotonic()
        cached = self._engines.get(tenant)
        if cached is not None and now - cached[1] < BASELINE_REFRESH_S:
            return cached[0]
        engine = BehaviourEngine(disabled=self.settings.detection.disabled)
        try:
            engine.prime(self.store.load_endpoints(tenant), decode_state(self.store.get_state(tenant, STATE_NAME)))
        except StoreError as exc:
            event(log, "worker.baseline_unavailable", logging.WARNING, tenant=tenant, error=str(exc))
            if cached is not None:
                return cached[0]
        self._engines[tenant] = (engine, now)
        return engine

    async def run(self, stop: asyncio.Event) -> None:
        event(log, "worker.started", name=self.name, stream=self.bus.stream, durable=self.options.durable)
        lag_at = 0.0
        while not stop.is_set():
            try:
                messages = await self.consumer.fetch(self.options.fetch_batch, self.options.fetch_timeout_s)
            except BusError as exc:
                self._bus_trouble(exc)
                await _sleep_or_stop(stop, 1.0)
                continue
            self.problem.pop("bus", None)
            if messages:
                # In flight: finish these even if asked to stop meanwhile (graceful drain).
                await self.process(messages, stop)
            now = time.monotonic()
            if now - lag_at > LAG_INTERVAL_S:
                lag_at = now
                try:
                    self.metrics.bus_lag.set(await self.consumer.pending())
                except BusError as exc:
                    self._bus_trouble(exc)
        event(log, "worker.stopped", name=self.name)

    def _bus_trouble(self, exc: BusError) -> None:
        self.metrics.bus_errors.inc()
        self.problem["bus"] = str(exc)
        event(log, "worker.bus_error", logging.WARNING, error=str(exc))

    async def process(self, messages: list[Message], stop: asyncio.Event | None = None) -> int:
        """Commit ``messages`` exactly once and acknowledge them; returns the transactions committed."""
        pending = [m for m in messages if is_traffic(m.subject)]
        for other in messages:
            if not is_traffic(other.subject):
                await self._ack([other])
        committed = 0
        backoff = 0.25
        stream = self.bus.stream
        while pending:
            try:
                done = await self.thread.call(self.store.applied, stream, [m.stream_seq for m in pending])
                if done:
                    self.metrics.messages_redelivered.inc(len(done))
                    await self._ack([m for m in pending if m.stream_seq in done])
                    pending = [m for m in pending if m.stream_seq not in done]
                    if not pending:
                        break
                folds = await asyncio.to_thread(fold_batches, pending, self._pipeline_factory)
                self._count_detector_errors()
                for tenant, fold in folds.items():
                    started = time.perf_counter()
                    ok = await self.thread.call(
                        self.store.apply_delta,
                        tenant,
                        fold.deltas.endpoints,
                        fold.deltas.findings,
                        fold.states,
                        stream,
                        fold.seqs,
                        fold.transactions,
                        fold.rejected,
                        self._merge_state(),
                    )
                    if not ok:
                        self.metrics.flush_conflicts.inc()
                        event(log, "worker.flush_conflict", tenant=tenant, seqs=len(fold.seqs))
                        continue  # the next round asks which seqs were applied and re-folds the rest
                    self.metrics.flush_seconds.observe(time.perf_counter() - started)
                    self.metrics.transactions_processed.inc(fold.transactions)
                    if fold.rejected:
                        self.metrics.rejected.labels("invalid_record").inc(fold.rejected)
                    committed += fold.transactions
                    done_seqs = set(fold.seqs)
                    await self._ack([m for m in pending if m.stream_seq in done_seqs])
                    pending = [m for m in pending if m.stream_seq not in done_seqs]
                    event(
                        log,
                        "worker.flushed",
                        logging.DEBUG,
                        tenant=tenant,
                        transactions=fold.transactions,
                        messages=len(done_seqs),
                    )
                self.problem.pop("store", None)
                self.last_ok = time.monotonic()
                backoff = 0.25
            except StoreError as exc:
                self.metrics.store_errors.inc()
                self.problem["store"] = str(exc)
                event(log, "worker.store_error", logging.WARNING, error=str(exc), retry_in=backoff, held=len(pending))
                if stop is not None and stop.is_set():
                    # Stopping with the store down: leave them unacked, another worker gets them later.
                    event(log, "worker.released", logging.WARNING, held=len(pending))
                    break
                await self._keep_alive(pending)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.options.max_backoff_s)
        return committed

    def _merge_state(self) -> Any:
        return merge_behaviour_state

    def _count_detector_errors(self) -> None:
        if self._base is None:
            return
        for inspector in self._base.inspectors:
            errors = getattr(inspector, "errors", None)
            if isinstance(errors, Counter):
                for detector, total in errors.items():
                    new = total - self._detector_errors[detector]
                    if new > 0:
                        self.metrics.detector_errors.labels(detector).inc(new)
                        self._detector_errors[detector] = total

    async def _ack(self, messages: Sequence[Message]) -> None:
        for msg in messages:
            try:
                await msg.ack()
            except BusError as exc:
                # The commit stands; the message comes back and is skipped as applied.
                self._bus_trouble(exc)

    async def _keep_alive(self, messages: Sequence[Message]) -> None:
        for msg in messages:
            try:
                await msg.in_progress()
            except BusError:
                return


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
