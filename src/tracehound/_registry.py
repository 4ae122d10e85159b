"""Discovery of plug-in modules: every module of a package that defines a subclass of a base.

Classifiers and detectors are found this way, so adding one is one new file. The registry id is
the module name, used unchanged in config, CLI, metrics and docs.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import TypeVar

T = TypeVar("T")


def discover(package: ModuleType, base: type[T]) -> dict[str, type[T]]:
    """Map module name -> the one concrete subclass of ``base`` defined in that module.

    Modules defining no subclass of ``base`` are skipped (one package may hold plug-ins of
    several kinds, e.g. request detectors and behavioural detectors); more than one is an error.
    """
    found: dict[str, type[T]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in ("base", "registry", "engine"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, base)
            and obj is not base
            and not inspect.isabstract(obj)
            and obj.__module__ == module.__name__
        ]
        if len(classes) > 1:
            raise RuntimeError(f"{module.__name__} must define one {base.__name__} subclass, found {len(classes)}")
        if classes:
            found[info.name] = classes[0]
    return found
