"""Entry point: the ``tracehound`` command group; each command lives in its own module."""

from __future__ import annotations

import sys

import click

from tracehound import __version__
from tracehound._plain import visible
from tracehound.cli.analyze import analyze
from tracehound.cli.analyzer import analyzer
from tracehound.cli.api import api
from tracehound.cli.collector import collector
from tracehound.cli.explain import explain
from tracehound.cli.keys import keys
from tracehound.cli.serve import serve
from tracehound.cli.tenants import tenants
from tracehound.cli.worker import worker
from tracehound.errors import TracehoundError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracehound")
def cli() -> None:
    """Tracehound: API inventory, sensitive data and attacks, from traffic."""


cli.add_command(analyze)
cli.add_command(explain)
cli.add_command(serve)
cli.add_command(collector)
cli.add_command(worker)
cli.add_command(analyzer)
cli.add_command(api)
cli.add_command(tenants)
cli.add_command(keys)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except TracehoundError as exc:  # pragma: no cover - click handles errors raised in commands
        click.echo(f"error: {visible(exc)}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
