"""The inventory: stored provisional profiles templated, merged and compared with reference specs.

This is the read model every renderer uses (JSON, OpenAPI, HTML, terminal, the read API): per
service, final endpoints with their merged profile, the decision behind each path segment, and
their origin against the reference spec.

Endpoints are classified as ``api``, ``asset`` or ``page`` (`analyzer.assets`). Assets and pages
are templated apart from the APIs, so a file name never shapes an API's template, and, unless
``include_assets``, are left out of ``services`` and kept in ``assets`` (the report counts them).
Findings on them are kept either way: detection saw every transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from tracehound.analyzer.assets import API, classify
from tracehound.analyzer.spec import ReferenceSpec, SpecOperation
from tracehound.analyzer.templating import Observed, ReferenceTemplates, Template, infer_templates
from tracehound.model import Severity
from tracehound.model.fields import path_index
from tracehound.pipeline.segments import parameter_of, segment_matches, split_key
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.store.base import EndpointKey, FindingKey

IsReported = Callable[[str, int, int, float], bool]
"""(sensitive type, hits, seen, confidence sum) -> whether the location is reported."""


@dataclass
class Endpoint:
    service: str
    method: str
    template: Template
    profile: EndpointProfile
    origin: str = "observed"
    """``observed``, ``spec`` or ``both``."""
    spec: SpecOperation | None = None
    provisional: list[str] = field(default_factory=list)
    has_spec: bool = False
    """Whether a reference spec covers this endpoint's service (drift is reported only then)."""
    kind: str = API
    """``api``, ``asset`` or ``page`` (`analyzer.assets.classify`)."""
    family: str | None = None
    """For an asset or page: ``script``, ``style``, ``image``, ``font``, ``media``, ``source_map``, ``html``."""

    @property
    def path(self) -> str:
        return self.template.path

    def parameter_name(self, position: int) -> str | None:
        seg = self.template.segments[position] if position < len(self.template.segments) else None
        return parameter_of(seg) if seg else None

    def rename_location(self, location: str) -> str:
        """``request.path.#2`` becomes ``request.path.userId`` (or ``request.path`` for a literal)."""
        index = path_index(location)
        if index is None:
            return location
        name = self.parameter_name(index)
        return f"request.path.{name}" if name else "request.path"


@dataclass
class Finding:
    type: str
    service: str
    method: str
    path: str
    location: str
    stats: FindingStats


@dataclass
class Inventory:
    services: dict[str, list[Endpoint]]
    findings: list[Finding]
    assets: dict[str, list[Endpoint]] = field(default_factory=dict)
    """Per service, its asset and page endpoints (also in ``services`` with ``include_assets``)."""

    def endpoint_count(self) -> int:
        return sum(len(eps) for eps in self.services.values())

    def find(self, method: str, path: str) -> Endpoint | None:
        """The endpoint a concrete or templated path belongs to (any service)."""
        segs = split_key(path.split("?", 1)[0])
        for endpoints in self.services.values():
            for ep in endpoints:
                if ep.method != method.upper() or len(ep.template.segments) != len(segs):
                    continue
                if all(segment_matches(t, s) for t, s in zip(ep.template.segments, segs, strict=True)):
                    return ep
        return None


def build_inventory(
    endpoints: Mapping[EndpointKey, EndpointProfile],
    findings: Mapping[FindingKey, FindingStats],
    specs: Iterable[ReferenceSpec] = (),
    pinned: Iterable[str] = (),
    keep_literal: Iterable[str] = (),
    include_assets: bool = False,
) -> Inventory:
    specs = list(specs)
    pinned = list(pinned)
    keep_literal = list(keep_literal)
    by_service: dict[str, list[Observed]] = defaultdict(list)
    for key, profile in endpoints.items():
        by_service[key.service].append(Observed(key.method, split_key(key.template), profile))

    services: dict[str, list[Endpoint]] = {}
    assets: dict[str, list[Endpoint]] = {}
    final_of: dict[EndpointKey, Endpoint] = {}
    for service in sorted(by_service):
        service_specs = [s for s in specs if s.applies_to(service)]
        reference = ReferenceTemplates(pinned)
        for spec in service_specs:
            for op in spec.operations:
                reference.add(op.full_path)
        observed = by_service[service]
        kinds = [classify(obs.profile) for obs in observed]
        apis = [obs for obs, (kind, _) in zip(observed, kinds, strict=True) if kind == API]
        mapping = infer_templates(apis, reference, keep_literal) if apis else {}
        if len(apis) < len(observed):
            others = [obs for obs, (kind, _) in zip(observed, kinds, strict=True) if kind != API]
            mapping.update(infer_templates(others, reference, keep_literal))
        merged: dict[tuple[str, tuple[str, ...]], Endpoint] = {}
        for obs in observed:
            template = mapping[(obs.method, obs.segments)]
            fkey = (obs.method, template.segments)
            ep = merged.get(fkey)
            if ep is None:
                ep = merged[fkey] = Endpoint(service, obs.method, template, EndpointProfile())
            ep.profile.merge(obs.profile)
            prov = "/" + "/".join(obs.segments)
            ep.provisional.append(prov)
            final_of[EndpointKey(service, obs.method, prov)] = ep
        for spec in service_specs:
            _apply_spec(spec, service, merged)
        kept: list[Endpoint] = []
        for ep in merged.values():
            ep.has_spec = bool(service_specs)
            if ep.origin == "observed":
                ep.kind, ep.family = classify(ep.profile)
            if ep.kind == API or include_assets:
                kept.append(ep)
            if ep.kind != API:
                assets.setdefault(service, []).append(ep)
        services[service] = sorted(kept, key=lambda e: (e.path, e.method))

    out_findings: dict[tuple[str, str, str, str, str], Finding] = {}
    for finding_key, stats in findings.items():
        ep = final_of.get(EndpointKey(finding_key.service, finding_key.method, finding_key.template))
        path = ep.path if ep else finding_key.template
        location = ep.rename_location(finding_key.location) if ep else finding_key.location
        k = (finding_key.type, finding_key.service, finding_key.method, path, location)
        f = out_findings.get(k)
        if f is None:
            out_findings[k] = Finding(
                finding_key.type, finding_key.service, finding_key.method, path, location, _clone(stats)
            )
        else:
            f.stats.merge(stats)
    for service, eps in services.items():
        for ep in eps:
            for f in _drift_findings(ep):
                out_findings[(f.type, service, ep.method, ep.path, f.location)] = f
    return Inventory(services, sorted(out_findings.values(), key=_finding_order), assets)


def _clone(stats: FindingStats) -> FindingStats:
    out = FindingStats()
    out.merge(stats)
    return out


def _finding_order(f: Finding) -> tuple[int, str, str, str, str]:
    return (-Severity(f.stats.severity).rank, f.type, f.service, f.path, f.method)


def _apply_spec(spec: ReferenceSpec, service: str, merged: dict[tuple[str, tuple[str, ...]], Endpoint]) -> None:
    by_key = {(op.method, op.segments): op for op in spec.operations}
    for (method, segs), ep in merged.items():
        op = by_key.get((method, segs))
        if op is not None:
            ep.origin, ep.spec = "both", op
    for (method, segs), op in by_key.items():
        if (method, segs) not in merged:
            template = Template(segs, (), tuple(s[1:-1] if s.startswith("{") else None for s in segs))
            merged[(method, segs)] = Endpoint(service, method, template, EndpointProfile(), origin="spec", spec=op)


def _drift_findings(ep: Endpoint) -> list[Finding]:
    out = []
    if ep.spec is None and ep.profile.count and ep.origin == "observed" and ep.has_spec:
        out.append(
            Finding(
                "shadow_endpoint",
                ep.service,
                ep.method,
                ep.path,
                "request",
                FindingStats(
                    count=ep.profile.count,
                    severity=Severity.MEDIUM.value,
                    first_seen=ep.profile.first_seen,
                    last_seen=ep.profile.last_seen,
                    evidence="called, but not in the reference spec",
                ),
            )
        )
    if ep.spec is not None and ep.spec.deprecated and ep.profile.count:
        out.append(
            Finding(
                "zombie_endpoint",
                ep.service,
                ep.method,
                ep.path,
                "request",
                FindingStats(
                    count=ep.profile.count,
                    severity=Severity.MEDIUM.value,
                    first_seen=ep.profile.first_seen,
                    last_seen=ep.profile.last_seen,
                    evidence="deprecated in the reference spec, still called",
                ),
            )
        )
    return out
