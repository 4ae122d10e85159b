"""The classifier registry: module name → ``Classifier`` subclass, found by discovery.

Adding a family is one new module here plus its test; nothing else lists classifiers. The id
(the module name) is what config, metrics and docs use.
"""

from __future__ import annotations

import functools

import tracehound.classifiers as package
from tracehound._registry import discover
from tracehound.classifiers.base import Classifier


@functools.cache
def classifiers() -> dict[str, type[Classifier]]:
    """Every registered classifier class by id, in id order."""
    return discover(package, Classifier)  # type: ignore[type-abstract]  # finds concrete subclasses
