"""The request-detector contract: a family declares signatures; the engine matches them.

A :class:`RequestDetector` does not loop over values itself. It declares :class:`Signature` s
(a regular expression plus the sensitivity level from which it is active), and the
:class:`~tracehound.detectors.engine.SignatureEngine` compiles the signatures of every enabled
detector into one ``re2.Set``: each value is scanned once for all families, and a detector is only
consulted (``confirm``) for signatures that the set reported. This keeps the hot path at one
linear-time pass per value, however many families are registered.

Behavioural detectors (over profiles and windows) live beside these modules with their own base
class; the registry finds each kind by its base.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from tracehound.model import DetectionType, Exchange, Severity

MIN_SENSITIVITY = 1
MAX_SENSITIVITY = 4
DEFAULT_SENSITIVITY = 3
"""Chosen by measurement on the CRS 3.3.4 tests and CSIC 2010 normal traffic (bench/bench_signatures.py)."""


class Part(StrEnum):
    """Which part of a request a scanned text comes from."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    """A structured body field (JSON, form, multipart part)."""
    RAW_BODY = "raw_body"
    """A whole non-JSON body: XML or text."""
    KEY = "key"
    """A parameter, cookie or JSON key name."""


ALL_PARTS = frozenset(Part)
PARAMS = frozenset({Part.PATH, Part.QUERY, Part.COOKIE, Part.BODY, Part.KEY})
"""Parts that carry application parameters, where grammar-bearing headers cannot confuse a rule."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One pattern of a family. ``pattern`` is RE2 syntax, matched case-insensitively unless told."""

    name: str
    pattern: str
    level: int = 1
    """The lowest sensitivity (1-4) at which it is active; higher levels add noisier signatures."""
    parts: frozenset[Part] = field(default=ALL_PARTS)
    case_sensitive: bool = False
    severity: Severity | None = None
    """Overrides the family's severity for a weak signal (a public URL where none is expected)."""
    free_text: bool = True
    """Whether a level-1 signature also fires in free-form fields (passwords, prose): False for
    structures one character of a password or a sentence can form (``$(``, ``$*``, ``; word``).
    Signatures above level 1 never fire there (``engine``, ``_roles.Role.FREE``)."""


class RequestDetector(ABC):
    """A signature family for one detection type. Subclasses are stateless and thread-safe."""

    type: ClassVar[DetectionType]
    severity: ClassVar[Severity]

    @abstractmethod
    def signatures(self) -> Sequence[Signature]:
        """Every signature of the family, at every level."""

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        """Second look at a prefilter hit (``matched`` is the span, ``text`` the view).

        The default accepts every hit; families whose patterns are deliberately broad (addresses,
        keywords) override it with a precise check that runs only where the set fired.
        """
        return True

    def confirm_request(
        self, signature: Signature, matched: str, text: str, location: str, ex: Exchange | None
    ) -> bool:
        """``confirm`` with the exchange the value came from (None where a caller scans bare values).

        The engine calls this one. Families whose verdict depends on the request itself override it:
        ``open_redirect`` compares a redirect target's host with the request's own host.
        """
        return self.confirm(signature, matched, text, location)
