"""The behaviour-detector contract: judge one exchange in context, and judge merged state.

Request detectors (``base.py``) see one request. Behaviour detectors see a request *in context*
— what the store had learned about its endpoint when the run started (the positive model, the
auth mix) and what this run folded so far — and, at the end of a run, the merged behaviour state
of every endpoint (``profiles.behaviour``), where cross-request abuse shows.

The :class:`~tracehound.pipeline.behaviour.BehaviourEngine` folds each exchange into the
state once, for all detectors, then asks each enabled detector:

* ``inspect(seen)``: detections attributable to this transaction (they go to ``--detections``);
* ``evaluate(endpoint, state)``: verdicts over one endpoint's merged state (they become findings).

Both are abstract so that a detector says explicitly that it has nothing to add on one side
(returning ``()``); a misspelt hook cannot silently never fire. Detectors are stateless; a
detector that raises is contained by the engine and counted.

This module is private (``_``) so the registry does not take it for a plug-in module.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tracehound.model import Detection, DetectionType, Exchange, SensitiveHit, Severity
from tracehound.profiles.behaviour import EndpointBehaviour, ParamStats
from tracehound.profiles.endpoint import EndpointProfile

MIN_SAMPLES = 50
"""Samples a parameter (or endpoint) needs before the positive model judges values against it."""
LOGIN_PATH = re.compile(r"(?i)log_?in|sign_?in|logon|authenticat|/auth(?:/|$)|/session|/token|/oauth")
"""Paths of endpoints that take credentials (where failures and usernames are counted)."""


def is_login_path(method: str, path: str) -> bool:
    """Whether ``method path`` looks like an endpoint that takes credentials."""
    return method == "POST" and LOGIN_PATH.search(path) is not None


@dataclass(slots=True)
class Param:
    """One request value the positive model covers, with what was learned about its location."""

    location: str
    value: Any
    kind: int
    chars: int
    length: int | None
    learned: ParamStats | None


@dataclass(slots=True)
class Seen:
    """One exchange in context, as the engine hands it to every behaviour detector."""

    ex: Exchange
    endpoint: tuple[str, str, str]
    """(service, method, provisional template)."""
    fields: Sequence[tuple[str, Any]]
    """Every request value with its location (``model.fields.request_fields``)."""
    hits: Sequence[SensitiveHit]
    principal: str | None
    """Hash of the caller's credential (``pipeline.auth.principal``), None when the request
    carries no credential at all."""
    actor: str | None
    """Who the request is counted against: the client address, else the principal."""
    profile: EndpointProfile | None
    """What the store had learned about this endpoint when the run started."""
    learned: EndpointBehaviour | None
    """The stored behaviour of this endpoint when the run started."""
    live: EndpointBehaviour
    """This run's behaviour of the endpoint so far, this exchange included."""
    params: list[Param] = field(default_factory=list)
    """Values of query, body, path-parameter, cookie and parameter-header locations."""
    new_user: bool = False
    """This request sent a username its client had not sent before (login-like endpoints)."""
    failed: bool = False
    """This request failed as a login or authorization does (401/403, other 4xx on a login)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A cross-request conclusion about one endpoint, to become a finding."""

    detection: Detection
    actors: tuple[str, ...]
    """Clients (addresses, or principal hashes) the finding names."""
    subject: str
    """What the verdict is about (an actor, the endpoint): with type and location, its identity,
    so that a later run does not report it again."""
    count: int = 1
    first_seen: float | None = None
    last_seen: float | None = None


class BehaviourDetector(ABC):
    """One behavioural or posture family. Subclasses are stateless and thread-safe."""

    types: ClassVar[tuple[DetectionType, ...]]
    """The detection types this family raises."""
    severity: ClassVar[Severity]
    """The usual severity; a detection may carry another where the case warrants it."""

    @classmethod
    def registry_id(cls) -> str:
        """The module name, as the registry knows the family."""
        return cls.__module__.rsplit(".", 1)[-1]

    @abstractmethod
    def inspect(self, seen: Seen) -> Sequence[Detection]:
        """Detections attributable to this one transaction (``()`` when the family has none)."""

    @abstractmethod
    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        """Verdicts over one endpoint's merged state (``()`` when the family works per request)."""

    def detection(
        self,
        location: str,
        evidence: str,
        *,
        type: DetectionType | None = None,
        severity: Severity | None = None,
        confidence: float = 1.0,
    ) -> Detection:
        """A detection of this family, named after its module (the registry id)."""
        return Detection(
            type=type or self.types[0],
            location=location,
            severity=severity or self.severity,
            detector=self.registry_id(),
            evidence=evidence,
            confidence=confidence,
        )
