"""Users can pin templates and keep paths literal in the config file, overriding inference."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracehound.cli.main import cli


def _har(paths: list[str]) -> dict[str, object]:
    entries = [
        {
            "startedDateTime": "2026-11-25T10:00:00Z",
            "time": 3,
            "request": {"method": "GET", "url": f"https://files.example.com{p}", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}},
        }
        for p in paths
    ]
    return {"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}


def _paths(tmp_path: Path, config: str, paths: list[str]) -> set[str]:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "t.har").write_text(json.dumps(_har(paths)))
    (tmp_path / "th.yaml").write_text(config)
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            str(tmp_path / "t.har"),
            "--config",
            str(tmp_path / "th.yaml"),
            "--db",
            str(tmp_path / "t.db"),
            "--json",
            str(tmp_path / "r.json"),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    return {e["path"] for e in report["services"][0]["endpoints"]}


def test_a_pinned_template_wins_over_inference(tmp_path: Path) -> None:
    paths = ["/files/report", "/files/summary", "/files/1234"]
    assert _paths(tmp_path, "tenant: default\n", paths) >= {"/files/report", "/files/summary"}
    assert _paths(tmp_path / "pinned", "templates:\n  pin: ['/files/{name}']\n", paths) == {"/files/{name}"}


def test_keep_literal_splits_a_path_off_its_parameter(tmp_path: Path) -> None:
    paths = [f"/users/{1000 + i}" for i in range(20)] + ["/users/1000"] * 5
    assert _paths(tmp_path, "templates:\n  keep_literal: ['/users/1000']\n", paths) == {
        "/users/1000",
        "/users/{userId}",
    }
