"""``tracehound explain``: which rule and evidence made each segment what it is."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tracehound.cli.main import cli

DEMO = Path(__file__).resolve().parents[2] / "src" / "tracehound" / "demo" / "shop.har.gz"


def test_explains_a_concrete_path(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "t.db")
    assert runner.invoke(cli, ["analyze", str(DEMO), "--db", db, "-q"]).exit_code == 0
    result = runner.invoke(cli, ["explain", "GET", "/api/v1/orders/50070", "--db", db], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "/api/v1/orders/{orderId}" in result.output
    assert "value type" in result.output
    assert "literal" in result.output


def test_unknown_endpoint_and_missing_store(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["explain", "GET", "/x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "none.db" in result.output
