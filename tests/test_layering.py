"""The rules that keep the rooms apart (ARCHITECTURE.md), checked on every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tracehound"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def modules(room: str) -> list[Path]:
    return sorted((SRC / room).rglob("*.py"))


def test_model_imports_nothing_else_from_tracehound() -> None:
    for path in modules("model"):
        bad = {m for m in imports_of(path) if m.startswith("tracehound") and not m.startswith("tracehound.model")}
        assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("room", ["classifiers", "detectors"])
def test_plugins_import_only_model_profiles_and_their_own_helpers(room: str) -> None:
    allowed = (
        "tracehound.model",
        "tracehound.profiles",
        f"tracehound.{room}",
        "tracehound._registry",
        "tracehound.errors",
    )
    for path in modules(room):
        bad = {
            m
            for m in imports_of(path)
            if m.startswith("tracehound") and m != "tracehound" and not m.startswith(allowed)
        }
        assert not bad, f"{room}/{path.name} imports {bad}"


def test_pipeline_never_touches_stores_apis_or_drivers() -> None:
    for path in modules("pipeline"):
        bad = {
            m
            for m in imports_of(path)
            if m.startswith(("tracehound.store", "tracehound.api", "tracehound.bus", "sqlite3", "psycopg", "nats"))
        }
        assert not bad, f"pipeline/{path.name} imports {bad}"


@pytest.mark.parametrize(("driver", "room"), [("sqlite3", "store"), ("psycopg", "store"), ("nats", "bus")])
def test_only_one_room_imports_each_driver(driver: str, room: str) -> None:
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(SRC / room):
            continue
        bad = {m for m in imports_of(path) if m == driver or m.startswith(driver + ".")}
        assert not bad, f"{path.relative_to(SRC)} imports {driver}"
