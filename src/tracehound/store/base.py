"""The store protocol: what every store adapter (SQLite, PostgreSQL) offers the stages.

Writes are merges: a delta of profiles or findings is merged into what is stored, inside one
transaction, so any number of writers in any order end in the same state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, Protocol

from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.findings import FindingStats

DEFAULT_TENANT = "default"


class EndpointKey(NamedTuple):
    service: str
    method: str
    template: str
    """Provisional template, ``/users/{int}``."""


class FindingKey(NamedTuple):
    type: str
    service: str
    method: str
    template: str
    location: str


class RunRecord(NamedTuple):
    id: int
    started: float
    finished: float | None
    inputs: list[str]
    transactions: int
    rejected: int


class Store(Protocol):
    def merge_endpoints(self, tenant: str, delta: Mapping[EndpointKey, EndpointProfile]) -> None: ...

    def merge_findings(self, tenant: str, delta: Mapping[FindingKey, FindingStats]) -> None: ...

    def load_endpoints(self, tenant: str) -> dict[EndpointKey, EndpointProfile]: ...

    def load_findings(self, tenant: str) -> dict[FindingKey, FindingStats]: ...

    def get_state(self, tenant: str, name: str) -> bytes | None: ...

    def put_state(self, tenant: str, name: str, value: bytes) -> None: ...

    def start_run(self, tenant: str, inputs: list[str]) -> int: ...

    def finish_run(
        self, run_id: int, transactions: int, rejected: int, rejections: list[tuple[str, int, str]]
    ) -> None: ...

    def close(self) -> None: ...
