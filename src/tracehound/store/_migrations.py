"""Numbered SQL migrations shipped in ``store/migrations``: ``<dialect>_<NNNN>_<what>.sql``."""

from __future__ import annotations

from importlib import resources


def migrations(dialect: str) -> list[tuple[int, str]]:
    """(number, SQL) of every migration of ``dialect`` (``sqlite``, ``postgres``), in order."""
    prefix = f"{dialect}_"
    folder = resources.files("tracehound.store").joinpath("migrations")
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.startswith(prefix) and name.endswith(".sql"):
            out.append((int(name[len(prefix) : len(prefix) + 4]), entry.read_text(encoding="utf-8")))
    return sorted(out)


def statements(sql: str) -> list[str]:
    """The statements of a migration file (separated by ``;`` at a line end; no procedural bodies)."""
    return [
        s
        for s in sql.split(";\n")
        if s.strip() and not all(line.strip().startswith("--") or not line.strip() for line in s.splitlines())
    ]
