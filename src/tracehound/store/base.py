"""The store protocol: what every store adapter (SQLite, PostgreSQL) offers the stages and services.

Writes are merges: a delta of profiles or findings is merged into what is stored, inside one
transaction, so any number of writers in any order end in the same state. ``apply_delta`` also
records the bus sequences a delta covers in that same transaction, which is what makes
at-least-once delivery count every transaction exactly once.

The read path does not re-template on every request: the analyzer publishes the rendered report
with ``replace_inventory`` and the read API pages through it with SQL-side filters.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats
from tracehound.profiles.keys import EndpointKey as EndpointKey  # re-exported: the store is keyed by them
from tracehound.profiles.keys import FindingKey as FindingKey

DEFAULT_TENANT = "default"

ROLES = ("ingest", "read", "admin")
"""``admin`` may do what ``ingest`` and ``read`` may."""

MergeState = Callable[[str, bytes | None, bytes], bytes]
"""(state name, stored value or None, delta value) -> new stored value."""


def role_allows(role: str, needed: str) -> bool:
    """Whether a key of ``role`` may do what ``needed`` allows."""
    return role == needed or role == "admin"


class RunRecord(NamedTuple):
    id: int
    started: float
    finished: float | None
    inputs: list[str]
    transactions: int
    rejected: int


class KeyInfo(NamedTuple):
    """Who a presented API key is: never the secret."""

    key_id: str
    tenant: str
    role: str


class KeyRecord(NamedTuple):
    key_id: str
    tenant: str
    role: str
    created: float
    revoked: float | None


class TenantRecord(NamedTuple):
    name: str
    created: float


EndpointSort = Literal["risk", "count", "path", "last_seen"]
FindingSort = Literal["last_seen", "severity", "count"]
Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class EndpointQuery:
    """Filters, order and page of ``query_endpoints``; every filter is optional."""

    service: str | None = None
    method: str | None = None
    sensitive_type: str | None = None
    min_risk: int | None = None
    sort: EndpointSort = "risk"
    order: Order | None = None
    """None: descending for risk, count and last_seen; ascending for path."""
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class FindingQuery:
    type: str | None = None
    severity: str | None = None
    """Minimum severity (``high`` also returns ``critical``)."""
    service: str | None = None
    since: float | None = None
    """Findings last seen at or after this epoch second."""
    until: float | None = None
    """Findings first seen at or before this epoch second."""
    sort: FindingSort = "last_seen"
    order: Order = "desc"
    limit: int = 50
    offset: int = 0


@dataclass
class Page:
    """One page of a query: report-shaped items (each with an ``id``) and the total matching."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class Store(Protocol):
    # -- profiles and findings (write path) -----------------------------------------------
    def merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None: ...

    def merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None: ...

    def load_endpoints(self, tenant: str) -> dict[EndpointKey, EndpointProfile]: ...

    def load_findings(self, tenant: str) -> dict[FindingKey, FindingStats]: ...

    def get_state(self, tenant: str, name: str) -> bytes | None: ...

    def put_state(self, tenant: str, name: str, value: bytes) -> None: ...

    def add_state(self, tenant: str, name: str, value: bytes) -> bytes:
        """Store ``value`` unless the name already has one; return whichever value is stored.

        Atomic, so processes racing to create the same state all end up with the first one.
        """
        ...

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
        """Merge a delta and record ``(stream, seq)`` for each seq, all in one transaction.

        Returns False, having changed nothing, when any of ``seqs`` was already applied: the
        caller re-folds without those (see ``applied``). ``merge_state`` None replaces states.
        """
        ...

    def applied(self, stream: str, seqs: Sequence[int]) -> set[int]:
        """Which of ``seqs`` of ``stream`` are already applied (redeliveries to skip)."""
        ...

    def prune_applied(self, stream: str, below: int) -> int:
        """Forget applied seqs of ``stream`` below ``below`` (all acknowledged); returns how many."""
        ...

    def forget_applied_before(self, timestamp: float) -> int:
        """Forget applied seqs recorded before ``timestamp`` (Unix seconds); returns how many.

        A message can only be redelivered until its acknowledgement lands (seconds to minutes),
        so records far older than that only take space.
        """
        ...

    # -- runs and totals ------------------------------------------------------------------
    def start_run(self, tenant: str, inputs: list[str]) -> int: ...

    def finish_run(
        self, run_id: int, transactions: int, rejected: int, rejections: list[tuple[str, int, str]]
    ) -> None: ...

    def totals(self, tenant: str) -> tuple[int, int]:
        """(transactions, rejected): runs plus everything ``apply_delta`` added."""
        ...

    def clear(self, tenant: str) -> None: ...

    # -- leader lease ---------------------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool:
        """Take or renew lease ``name`` for ``ttl_s`` seconds; False while another holder's is live."""
        ...

    def release_lease(self, name: str, holder: str) -> None: ...

    def lease_holder(self, name: str) -> str | None:
        """The live holder of ``name``, or None."""
        ...

    # -- tenants and keys -----------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        """StoreError when it exists."""
        ...

    def ensure_tenant(self, name: str) -> None:
        """Create the tenant unless it exists (for ``serve``'s default tenant)."""
        ...

    def list_tenants(self) -> list[TenantRecord]: ...

    def create_key(self, tenant: str, role: str) -> tuple[str, str]:
        """(key_id, key): the full key ``th_<key_id>_<secret>`` is returned once and stored only hashed."""
        ...

    def list_keys(self, tenant: str | None = None) -> list[KeyRecord]: ...

    def revoke_key(self, key_id: str) -> bool:
        """True when a live key was revoked."""
        ...

    def authenticate(self, presented: str) -> KeyInfo | None:
        """The key's tenant and role, or None for a malformed, unknown or revoked key."""
        ...

    # -- inventory snapshot (read path) ---------------------------------------------------
    def replace_inventory(
        self, tenant: str, report: Mapping[str, Any], openapi: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        """Publish a report (``analysis.report_of``) and per-service OpenAPI documents, atomically."""
        ...

    def list_services(self, tenant: str) -> list[dict[str, Any]]: ...

    def query_endpoints(self, tenant: str, query: EndpointQuery) -> Page: ...

    def get_endpoint(self, tenant: str, endpoint_id: str) -> dict[str, Any] | None: ...

    def query_findings(self, tenant: str, query: FindingQuery) -> Page: ...

    def get_finding(self, tenant: str, finding_id: str) -> dict[str, Any] | None: ...

    def service_openapi(self, tenant: str, service: str) -> dict[str, Any] | None: ...

    def inventory_stats(self, tenant: str) -> dict[str, Any]:
        """Snapshot counts plus live totals: transactions, rejected, services, endpoints, findings, updated."""
        ...

    # -- plumbing -------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise StoreError when the store cannot be reached."""
        ...

    def close(self) -> None: ...


INSTALLATION = "_installation"
"""The pseudo-tenant under which installation-wide state is kept."""


def installation_key(store: Store) -> bytes:
    """This installation's secret for keyed digests, created on first use and kept in the store.

    Reports, logs and API answers carry secret tags made with it; only the store holds it.
    """
    key = store.get_state(INSTALLATION, "redaction_key")
    if key:
        return key
    # Workers of a new cluster start together: the first key written wins for all of them, or
    # the same secret would get a different tag in each worker's share of the profiles.
    return store.add_state(INSTALLATION, "redaction_key", secrets.token_bytes(32))
