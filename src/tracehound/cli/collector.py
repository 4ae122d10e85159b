"""``tracehound collector``: the ingest API of a cluster (run several behind a load balancer)."""

from __future__ import annotations

from pathlib import Path

import click

from tracehound.cli.serve import config_option, run_service, service_settings
from tracehound.cluster.node import Roles


@click.command()
@click.option("--bus", metavar="URL", help="nats://host:port[,host:port...][?options], or memory://.")
@click.option("--store", metavar="URL", help="postgresql://... or sqlite:///path (API keys live there).")
@click.option("--listen", metavar="HOST:PORT", help="Address of the ingest API (default 127.0.0.1:8080).")
@config_option
def collector(bus: str | None, store: str | None, listen: str | None, config_path: Path | None) -> None:
    """Accept traffic batches (POST /v1/traffic) and persist them on the bus."""
    settings = service_settings(config_path, bus=bus, store=store, listen=listen)
    run_service(settings, Roles(collector=True))
