"""``tracehound analyzer``: the periodic whole-picture work (run 2: one active, one standby)."""

from __future__ import annotations

from pathlib import Path

import click

from tracehound.cli.serve import config_option, run_service, service_settings
from tracehound.cluster.node import Roles


@click.command()
@click.option("--bus", metavar="URL", help="Accepted for symmetry with the other services; unused.")
@click.option("--store", metavar="URL", help="postgresql://... or sqlite:///path.")
@click.option(
    "--listen",
    metavar="HOST:PORT",
    default="",
    help="Serve /healthz, /readyz and /metrics here (default: no HTTP).",
)
@click.option("--interval", type=float, help="Seconds between cycles (default 2).")
@config_option
def analyzer(bus: str | None, store: str | None, listen: str, interval: float | None, config_path: Path | None) -> None:
    """Template, score and publish each tenant's inventory; send alerts. One active at a time."""
    settings = service_settings(config_path, store=store, listen=listen)
    if interval is not None:
        import msgspec

        options = msgspec.structs.replace(settings.server.analyzer, interval_s=interval)
        settings = msgspec.structs.replace(settings, server=msgspec.structs.replace(settings.server, analyzer=options))
    run_service(settings, Roles(analyzer=True))
