"""Offline analysis: files through the pipeline into a store, and the report of what the store knows.

Shared by ``tracehound analyze`` and the single-node server: the same stages, a SQLite store and
an in-process loop instead of a bus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from tracehound.analyzer.behaviour import behaviour_findings
from tracehound.analyzer.inventory import Inventory, build_inventory
from tracehound.analyzer.spec import ReferenceSpec
from tracehound.classifiers.engine import SensitiveDataEngine
from tracehound.config import Settings
from tracehound.model import POSTURE_TYPES, Detection, Transaction
from tracehound.model.redaction import use_installation_key
from tracehound.pipeline.behaviour import BehaviourEngine
from tracehound.pipeline.runner import Deltas, Pipeline
from tracehound.pipeline.stages import build_classifier, build_pipeline
from tracehound.profiles.behaviour import STATE_NAME, copy_state, decode_state, encode_state
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.report.json_report import RunSummary, build_report
from tracehound.sources._reasons import path_for_reason
from tracehound.sources.base import Rejection, open_source
from tracehound.store.base import EndpointKey, FindingKey, installation_key
from tracehound.store.sqlite import SqliteStore

MAX_REPORTED_REJECTIONS = 100

ProgressHook = Callable[[int, int], None]
"""Called with (bytes done, bytes total) as input is read."""


class _DetectionLine(msgspec.Struct):
    seq: int
    request_id: str | None
    detections: list[dict[str, str]]
    method: str | None = None
    path: str | None = None
    client: str | None = None


_LINE_ENCODER = msgspec.json.Encoder()


def detection_line(
    seq: int,
    request_id: str | None,
    detections: Sequence[Detection],
    key: EndpointKey | None = None,
    client: str | None = None,
) -> bytes:
    """One ``--detections`` JSON line (REPORT_FORMAT.md).

    The path is the endpoint's provisional template (ids already ``{int}``, ``{uuid}``...), each
    segment then redacted and masked as rejection reasons quote paths, so a token in a literal
    segment never shows; the client is as findings report it; evidence is the detectors' redacted excerpt.
    """
    items = [
        {"type": d.type.value, "location": d.location, "severity": d.severity.value, "evidence": d.evidence}
        for d in detections
    ]
    method = path = None
    if key is not None:
        method, path = key.method, path_for_reason(key.template)
    return _LINE_ENCODER.encode(_DetectionLine(seq, request_id, items, method, path, client)) + b"\n"


@dataclass
class RunResult:
    transactions: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    detected: int = 0
    body_errors: Counter[str] = field(default_factory=Counter)
    bodies_already_decoded: int = 0
    deltas: Deltas = field(default_factory=Deltas)


def run_files(
    inputs: Sequence[Path],
    pipeline: Pipeline,
    detections_out: BinaryIO | None = None,
    progress: ProgressHook | None = None,
) -> RunResult:
    """Feed every input through ``pipeline`` (seq counting across files, in order)."""
    result = RunResult()
    seq = 0
    total = sum(p.stat().st_size for p in inputs)
    done_before = 0
    for path in inputs:
        source = open_source(path, start_seq=seq)
        for i, item in enumerate(source):
            if isinstance(item, Rejection):
                result.rejected += 1
                result.rejections.append(item)
            else:
                _process(pipeline, item, result, detections_out)
            if progress is not None and i % 256 == 0:
                progress(done_before + source.bytes_read, total)
        seq = source.next_seq
        done_before += path.stat().st_size
        if progress is not None:
            progress(done_before, total)
    result.deltas = pipeline.flush()
    result.body_errors = result.deltas.body_errors
    result.bodies_already_decoded = result.deltas.bodies_already_decoded
    _behaviour_verdicts(pipeline, result.deltas)
    return result


def run_transactions(
    transactions: Iterable[Transaction], pipeline: Pipeline, detections_out: BinaryIO | None = None
) -> RunResult:
    """Feed already-read transactions through ``pipeline`` (sensors, tests): ``run_files`` without a source."""
    result = RunResult()
    for tx in transactions:
        _process(pipeline, tx, result, detections_out)
    result.deltas = pipeline.flush()
    result.body_errors = result.deltas.body_errors
    result.bodies_already_decoded = result.deltas.bodies_already_decoded
    _behaviour_verdicts(pipeline, result.deltas)
    return result


def _behaviour_verdicts(pipeline: Pipeline, deltas: Deltas) -> None:
    """Cross-request findings over (what the store held at the start) ⊕ (this run's delta).

    New verdicts become findings of the run and are marked reported in the delta, so persisting
    the delta keeps a later run from raising them again.
    """
    engine = pipeline.behaviour
    if not isinstance(engine, BehaviourEngine) or deltas.behaviour is None:
        return
    merged = copy_state(engine.baseline)
    merged.merge(deltas.behaviour)
    found = behaviour_findings(merged, engine.detectors, reported=deltas.behaviour, errors=engine.errors)
    for key, stats in found.items():
        if key in deltas.findings:
            deltas.findings[key].merge(stats)
        else:
            deltas.findings[key] = stats


def _process(pipeline: Pipeline, tx: Transaction, result: RunResult, out: BinaryIO | None) -> None:
    result.transactions += 1
    detections = pipeline.process(tx)
    if detections:
        if any(d.type not in POSTURE_TYPES for d in detections):
            result.detected += 1
        if out is not None:
            out.write(detection_line(tx.seq, tx.request_id, detections, pipeline.last_key, pipeline.last_client))


def persist(store: SqliteStore, tenant: str, result: RunResult, run_id: int, learn: bool) -> None:
    """Merge the run's deltas into the store; with ``learn=False`` only findings are kept."""
    behaviour = result.deltas.behaviour
    if learn:
        store.merge_endpoints(tenant, result.deltas.endpoints)
        if behaviour is not None:
            state = decode_state(store.get_state(tenant, STATE_NAME))
            state.merge(behaviour)
            store.put_state(tenant, STATE_NAME, encode_state(state))
    elif behaviour is not None and behaviour.reported:
        # Learning nothing, but remembering which cross-request findings were raised, so a
        # later detection run does not raise them again.
        state = decode_state(store.get_state(tenant, STATE_NAME))
        for identity in behaviour.reported:
            state.mark_reported(identity)
        store.put_state(tenant, STATE_NAME, encode_state(state))
    store.merge_findings(tenant, result.deltas.findings)
    store.finish_run(
        run_id,
        result.transactions,
        result.rejected,
        [(r.source, r.index, r.reason) for r in result.rejections],
    )


def snapshot(
    store: SqliteStore,
    settings: Settings,
    specs: Iterable[ReferenceSpec] = (),
    extra_endpoints: dict[EndpointKey, EndpointProfile] | None = None,
    extra_findings: dict[FindingKey, FindingStats] | None = None,
    include_assets: bool = False,
) -> Inventory:
    """The inventory of everything the store knows (plus unpersisted deltas of a ``--no-learn`` run)."""
    tenant = settings.tenant
    endpoints = store.load_endpoints(tenant)
    for key, profile in (extra_endpoints or {}).items():
        if key in endpoints:
            endpoints[key].merge(profile)
        else:
            endpoints[key] = profile
    findings = store.load_findings(tenant)
    for fkey, stats in (extra_findings or {}).items():
        if fkey in findings:
            findings[fkey].merge(stats)
        else:
            findings[fkey] = stats
    return build_inventory(
        endpoints,
        findings,
        specs,
        pinned=settings.templates.pin,
        keep_literal=settings.templates.keep_literal,
        include_assets=include_assets,
    )


def report_of(
    store: SqliteStore,
    inventory: Inventory,
    settings: Settings,
    result: RunResult | None,
    classifier: SensitiveDataEngine,
) -> dict[str, Any]:
    transactions, rejected = store.totals(settings.tenant)
    summary = RunSummary(transactions=transactions, rejected=rejected)
    if result is not None:
        summary.run_transactions = result.transactions
        summary.run_rejected = result.rejected
        summary.rejections = [
            {"source": r.source, "index": r.index, "reason": r.reason}
            for r in result.rejections[:MAX_REPORTED_REJECTIONS]
        ]
        summary.body_errors = dict(result.body_errors)
        summary.bodies_already_decoded = result.bodies_already_decoded

    return build_report(inventory, summary, classifier.is_reported)


def new_pipeline(settings: Settings, store: SqliteStore | None = None) -> tuple[Pipeline, SensitiveDataEngine]:
    """The run's pipeline; with ``store``, its behaviour detectors judge against what the store learned."""
    if store is not None:
        use_installation_key(installation_key(store), settings.tenant)
    classifier = build_classifier(settings)
    pipeline = build_pipeline(settings, classifier)
    if store is not None:
        prime(pipeline, store, settings.tenant)
    return pipeline, classifier


def prime(pipeline: Pipeline, store: SqliteStore, tenant: str) -> None:
    """Load the learned baseline (endpoint profiles and behaviour state) into the behaviour engine."""
    if isinstance(pipeline.behaviour, BehaviourEngine):
        pipeline.behaviour.prime(store.load_endpoints(tenant), decode_state(store.get_state(tenant, STATE_NAME)))
