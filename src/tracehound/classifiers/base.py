"""The contract every classifier module fulfils: value patterns and key rules, both with verifiers.

A classifier never loops over values itself. It declares

* ``patterns()``: regular expressions the engine compiles, together with every other
  classifier's, into one google-re2 ``Set``; a value is scanned once, and only the verifiers of
  the patterns that fired run (the second tier: checksums, decoders, date arithmetic);
* ``key_rules()``: predicates on a field's normalised key and scope, evaluated once per distinct
  location and cached, for the types a value alone cannot prove (names, addresses, passwords).

Verifiers return a confidence in [0, 1]; 0 means "not this type". They must not raise on any
string (the contract test feeds them hostile input), and they receive the ``FieldKey`` so that
context can raise or lower confidence.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

from tracehound.model.vocab import SensitiveType


class FieldKey(NamedTuple):
    """What the engine knows about a location before looking at its value."""

    location: str
    side: str
    """``request`` or ``response``."""
    scope: str
    """``path``, ``query``, ``header``, ``cookie``, ``body`` or ``other``."""
    key: str
    """The last location component: ``[]`` stripped, lower-cased, ``_ - .`` and spaces dropped."""
    parent: str
    """The component before it, normalised the same way (``address`` for ``address.street``)."""


Verifier = Callable[[str, FieldKey], float]


class ValuePattern(NamedTuple):
    """A value shape: a re2 expression (anchor it with ``^…$`` for whole values) and a verifier."""

    type: SensitiveType
    regex: str
    verify: Verifier


class KeyRule(NamedTuple):
    """A type suggested by the field's key; ``verify`` still checks the value's shape."""

    type: SensitiveType
    applies: Callable[[FieldKey], bool]
    verify: Verifier
    numbers: bool = False
    """Whether JSON numbers at such keys are checked too (card numbers, SSNs, zip codes sent as ints)."""


class Classifier(ABC):
    """One family of sensitive types. Subclasses live one per module under ``classifiers/``."""

    types: ClassVar[tuple[SensitiveType, ...]] = ()

    @abstractmethod
    def patterns(self) -> Sequence[ValuePattern]:
        """Value shapes this family recognises without any key context."""

    def key_rules(self) -> Sequence[KeyRule]:
        """Types this family recognises from the key name plus a plausible value shape."""
        return ()
