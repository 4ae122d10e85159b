"""``tracehound analyze``: traffic files in, inventory, sensitive data and findings out.

Everything printed that can carry file names or traffic text goes through ``tracehound._plain``.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import BinaryIO

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from tracehound._plain import visible
from tracehound.analysis import new_pipeline, persist, report_of, run_files, snapshot
from tracehound.analyzer.spec import ReferenceSpec, load_spec
from tracehound.config import load_settings
from tracehound.errors import TracehoundError
from tracehound.report.outputs import write_reports
from tracehound.report.terminal import render_summary
from tracehound.store.sqlite import SqliteStore

PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Inputs at least this big get a progress bar."""


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--db",
    "db_path",
    default="tracehound.db",
    show_default=True,
    type=click.Path(path_type=Path),
    help="SQLite store; runs against the same store accumulate.",
)
@click.option(
    "--spec",
    "spec_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Reference OpenAPI document (2.0/3.x, JSON/YAML); repeatable.",
)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="YAML settings file.")
@click.option("--no-learn", is_flag=True, help="Detect against what the store learned; do not update it.")
@click.option("--fresh", is_flag=True, help="Forget what the store learned before this run.")
@click.option("--json", "json_out", metavar="FILE", help="JSON report ('-' for stdout).")
@click.option(
    "--openapi",
    "openapi_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Write one OpenAPI 3.1 document per service to DIR/<service>.json.",
)
@click.option(
    "--detections",
    "detections_out",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="JSON Lines: one line per transaction with at least one detection.",
)
@click.option("--sarif", "sarif_out", metavar="FILE", help="Findings as SARIF 2.1.0.")
@click.option("--html", "html_out", metavar="FILE", help="Self-contained HTML report.")
@click.option("--quiet", "-q", is_flag=True, help="No terminal summary or progress bar.")
def analyze(
    inputs: tuple[Path, ...],
    db_path: Path,
    spec_files: tuple[Path, ...],
    config_path: Path | None,
    no_learn: bool,
    fresh: bool,
    json_out: str | None,
    openapi_dir: Path | None,
    detections_out: Path | None,
    sarif_out: str | None,
    html_out: str | None,
    quiet: bool,
) -> None:
    """Analyze HAR (.har, .har.gz) or NDJSON (.ndjson, .jsonl, .gz) traffic files."""
    err = Console(stderr=True)
    try:
        settings = load_settings(config_path)
        for path in inputs:
            if not path.is_file():
                raise click.UsageError(f"{visible(path)}: no such file")
        specs: list[ReferenceSpec] = [load_spec(p) for p in spec_files]
        store = SqliteStore(db_path)
        if fresh:
            store.clear(settings.tenant)
        pipeline, classifier = new_pipeline(settings, store)
        run_id = store.start_run(settings.tenant, [str(p) for p in inputs])
        show_progress = (
            not quiet and sys.stderr.isatty() and sum(p.stat().st_size for p in inputs) >= PROGRESS_MIN_BYTES
        )
        with contextlib.ExitStack() as stack:
            det_file: BinaryIO | None = None
            if detections_out is not None:
                detections_out.parent.mkdir(parents=True, exist_ok=True)
                det_file = stack.enter_context(detections_out.open("wb"))
            hook = None
            if show_progress:
                progress = stack.enter_context(
                    Progress(
                        TextColumn("analyzing", markup=False),
                        BarColumn(),
                        TransferSpeedColumn(),
                        TimeRemainingColumn(),
                        console=err,
                        transient=True,
                    )
                )
                task = progress.add_task("analyze", total=None)

                def hook(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

            result = run_files(list(inputs), pipeline, det_file, hook)
        persist(store, settings.tenant, result, run_id, learn=not no_learn)
        inventory = snapshot(
            store,
            settings,
            specs,
            extra_endpoints=result.deltas.endpoints if no_learn else None,
        )
        report = report_of(store, inventory, settings, result, classifier)
        write_reports(report, inventory, json_out, openapi_dir, sarif_out, html_out)
        if not quiet and json_out != "-":
            # A pipe or CI log has no width: use one wide enough for paths rather than 80 columns.
            render_summary(report, Console() if sys.stdout.isatty() else Console(width=160))
        store.close()
    except TracehoundError as exc:
        click.echo(f"error: {visible(exc)}", err=True)
        sys.exit(2)
