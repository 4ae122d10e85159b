"""constraints.txt keeps pace with pyproject.toml.

``pip install -c constraints.txt`` installs a requirement the file does not name at whatever version
is newest, silently: a dependency added to pyproject.toml without ``make lock`` would bring back the
unpinned installs that turned CI red. A pin outside the declared range would make the install fail.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"constraints.txt: {line!r} is not NAME==VERSION (regenerate with make lock)"
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras, *pyproject["build-system"]["requires"]]]


def test_every_declared_requirement_is_pinned_within_its_range() -> None:
    pins = _pins()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in constraints.txt: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={pins[name]}, outside pyproject.toml's {req}: run make lock"
        )


def test_the_pins_include_the_tools_of_the_install_itself() -> None:
    assert {"pip", "setuptools"} <= _pins().keys(), "make lock records pip and the build's setuptools too"
