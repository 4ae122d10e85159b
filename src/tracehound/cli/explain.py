"""``tracehound explain METHOD PATH``: why an endpoint has the template it has, segment by segment.

Methods, hosts, paths, segments and evidence come from traffic: they are printed as plain text
with control characters escaped (``tracehound._plain``), never as Rich markup.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracehound._plain import plain, visible
from tracehound.analysis import snapshot
from tracehound.analyzer.spec import load_spec
from tracehound.config import load_settings
from tracehound.errors import TracehoundError
from tracehound.store.sqlite import SqliteStore


@click.command()
@click.argument("method")
@click.argument("path")
@click.option("--db", "db_path", default="tracehound.db", show_default=True, type=click.Path(path_type=Path))
@click.option("--spec", "spec_files", multiple=True, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path))
def explain(method: str, path: str, db_path: Path, spec_files: tuple[Path, ...], config_path: Path | None) -> None:
    """Explain the template of the endpoint that METHOD PATH belongs to (a concrete or templated path)."""
    console = Console()
    try:
        if not db_path.is_file():
            raise click.UsageError(f"{visible(db_path)}: no store here; run `tracehound analyze` first or pass --db")
        settings = load_settings(config_path)
        store = SqliteStore(db_path)
        inventory = snapshot(store, settings, [load_spec(p) for p in spec_files])
        store.close()
    except TracehoundError as exc:
        click.echo(f"error: {visible(exc)}", err=True)
        sys.exit(2)
    ep = inventory.find(method, path)
    if ep is None:
        click.echo(f"no endpoint matches {visible(method.upper())} {visible(path)}", err=True)
        sys.exit(1)
    console.print(
        Text.assemble(
            plain(f"{ep.method} {ep.service}{ep.path}", "bold"),
            plain(f"  ({ep.profile.count} requests, origin {ep.origin})"),
        )
    )
    table = Table("position", "segment", "rule", "evidence")
    for i, d in enumerate(ep.template.decisions):
        table.add_row(str(i), plain(d.segment), plain(d.rule), plain(d.evidence))
    console.print(table)
    merged = sorted(set(ep.provisional))
    console.print(plain(f"merged from {len(merged)} provisional path(s): " + ", ".join(merged[:10])))
