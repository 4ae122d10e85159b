"""What profiles and findings are keyed by: the same keys in the pipeline, the store and the analyzer."""

from __future__ import annotations

from typing import NamedTuple


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
