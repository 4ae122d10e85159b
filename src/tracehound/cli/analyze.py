"""``tracehound analyze``: traffic files in, inventory, sensitive data and findings out.

Inputs are files or directories; a directory stands for the ``.har``/``.ndjson``/``.jsonl``
files (optionally ``.gz``) directly inside it, in name order, and anything else in it is skipped
with a counted note. An input with no content is skipped with a warning, whatever its format, and
a run that reads no entry at all is an error (exit 2), so an empty run never looks like a clean one.
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
from tracehound.errors import InputError, TracehoundError
from tracehound.report.outputs import STDOUT, check_outputs, open_output, write_reports
from tracehound.report.terminal import render_summary
from tracehound.sources.base import TRAFFIC_SUFFIXES, holds_no_data, traffic_files
from tracehound.store.sqlite import SqliteStore

PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Inputs at least this big get a progress bar."""

_NAMES = ", ".join(TRAFFIC_SUFFIXES[:-1]) + " or " + TRAFFIC_SUFFIXES[-1] + " (optionally .gz)"


def _warn(message: str) -> None:
    click.echo(visible(message), err=True)


def _files_of(inputs: tuple[Path, ...]) -> list[Path]:
    """The files to read: each file input, and the traffic files directly inside each directory."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            read, skipped = traffic_files(path)
            if not read:
                raise InputError(
                    f"{path}: a directory with no {_NAMES} files directly inside it (subdirectories are not read)"
                )
            if skipped:
                n = len(skipped)
                _warn(
                    f"note: {path}: read {len(read)} traffic file(s), skipped {n} other "
                    f"{'entry' if n == 1 else 'entries'} (only {_NAMES} files directly inside it are read)"
                )
            files += read
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise click.UsageError(f"{visible(path)}: not a regular file or a directory")
        else:
            raise click.UsageError(f"{visible(path)}: no such file or directory")
    return files


def _non_empty(files: list[Path]) -> list[Path]:
    """``files`` without those that hold no data, each named in a warning; all of them empty is an error."""
    empty = {p for p in files if holds_no_data(p)}
    if len(empty) == len(files):
        if len(files) == 1:
            raise InputError(f"{files[0]}: empty file, no traffic to analyze")
        raise InputError(f"no traffic to analyze: all {len(files)} input files are empty")
    for p in files:
        if p in empty:
            _warn(f"warning: {p}: empty file, skipped")
    return [p for p in files if p not in empty]


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
    metavar="FILE",
    help="JSON Lines: one line per transaction with at least one detection ('-' for stdout).",
)
@click.option("--sarif", "sarif_out", metavar="FILE", help="Findings as SARIF 2.1.0 ('-' for stdout).")
@click.option("--html", "html_out", metavar="FILE", help="Self-contained HTML report ('-' for stdout).")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Write through an output path that is a symbolic link (refused by default).",
)
@click.option(
    "--include-assets",
    is_flag=True,
    help="List scripts, styles, images, fonts, media, source maps and HTML pages as endpoints too.",
)
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
    detections_out: str | None,
    sarif_out: str | None,
    html_out: str | None,
    follow_symlinks: bool,
    include_assets: bool,
    quiet: bool,
) -> None:
    """Analyze HAR (.har, .har.gz) or NDJSON (.ndjson, .jsonl, .gz) traffic files.

    A directory INPUT stands for the .har, .ndjson and .jsonl files (optionally .gz) directly
    inside it, in name order. Empty files are skipped with a warning; a run that reads no entry
    at all exits 2.
    """
    err = Console(stderr=True)
    try:
        files_out = (json_out, detections_out, sarif_out, html_out)
        check_outputs(files_out, openapi_dir, follow_symlinks)
        settings = load_settings(config_path)
        files = _non_empty(_files_of(inputs))
        specs: list[ReferenceSpec] = [load_spec(p) for p in spec_files]
        store = SqliteStore(db_path)
        if fresh:
            store.clear(settings.tenant)
        pipeline, classifier = new_pipeline(settings, store)
        run_id = store.start_run(settings.tenant, [str(p) for p in files])
        show_progress = not quiet and sys.stderr.isatty() and sum(p.stat().st_size for p in files) >= PROGRESS_MIN_BYTES
        with contextlib.ExitStack() as stack:
            det_file: BinaryIO | None = None
            if detections_out:
                det_file = stack.enter_context(open_output(detections_out, follow_symlinks))
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

            result = run_files(files, pipeline, det_file, hook)
        persist(store, settings.tenant, result, run_id, learn=not no_learn)
        if result.transactions == 0 and result.rejected == 0:
            store.close()
            where = f"{files[0]}:" if len(files) == 1 else f"{len(files)} files:"
            raise InputError(f"{where} no traffic entries, nothing to analyze")
        if result.transactions == 0:
            what = "the one entry was" if result.rejected == 1 else f"all {result.rejected} entries were"
            _warn(f"warning: no transactions: {what} rejected (see run.rejections)")
        inventory = snapshot(
            store,
            settings,
            specs,
            extra_endpoints=result.deltas.endpoints if no_learn else None,
            include_assets=include_assets,
        )
        report = report_of(store, inventory, settings, result, classifier)
        write_reports(report, inventory, json_out, openapi_dir, sarif_out, html_out, follow_symlinks)
        if not quiet and STDOUT not in files_out:
            # A pipe or CI log has no width: use one wide enough for paths rather than 80 columns.
            render_summary(report, Console() if sys.stdout.isatty() else Console(width=160))
        store.close()
    except TracehoundError as exc:
        click.echo(f"error: {visible(exc)}", err=True)
        sys.exit(2)
