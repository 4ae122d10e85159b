"""``tracehound worker``: folds traffic from the bus into the store (run N of these)."""

from __future__ import annotations

from pathlib import Path

import click

from tracehound.cli.serve import config_option, run_service, service_settings
from tracehound.cluster.node import Roles


@click.command()
@click.option("--bus", metavar="URL", help="nats://host:port[,host:port...][?options].")
@click.option("--store", metavar="URL", help="postgresql://... or sqlite:///path.")
@click.option(
    "--listen",
    metavar="HOST:PORT",
    default="",
    help="Serve /healthz, /readyz and /metrics here (default: no HTTP).",
)
@config_option
def worker(bus: str | None, store: str | None, listen: str, config_path: Path | None) -> None:
    """Pull batches from the bus, run the pipeline, commit deltas exactly once."""
    settings = service_settings(config_path, bus=bus, store=store, listen=listen)
    run_service(settings, Roles(workers=1))
