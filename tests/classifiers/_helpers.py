"""One engine for the classifier tests, and a shortcut returning the types a field got."""

from __future__ import annotations

import functools
from typing import Any

from tracehound.classifiers.engine import SensitiveDataEngine


@functools.cache
def engine() -> SensitiveDataEngine:
    return SensitiveDataEngine()


def types_of(location: str, value: Any) -> set[str]:
    return {str(h.type) for h in engine().classify([(location, value)])}
