"""``tracehound serve``: the whole product on one node, plus the option handling every service command shares.

One process runs the collector (``POST /v1/traffic``), a worker, the analyzer and the read API
(``/v1/...``, docs at ``/docs``) on one port, over the in-process bus and a SQLite file: what a
user on a laptop or a small server needs, with the same code a cluster runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click
import msgspec

from tracehound.cluster import logging as structured
from tracehound.cluster.node import Roles, run_node
from tracehound.config import Settings, load_settings
from tracehound.errors import ConfigError, TracehoundError

__all__ = ["config_option", "run_service", "serve", "service_settings"]

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="YAML settings file (also $TRACEHOUND_CONFIG); TRACEHOUND_SERVER__* variables override it.",
)


def service_settings(config_path: Path | None, **flags: Any) -> Settings:
    """Settings from the file and environment, then the command's flags (those given) on ``server``."""
    settings = load_settings(config_path)
    given = {k: v for k, v in flags.items() if v is not None}
    if given:
        try:
            server = msgspec.structs.replace(settings.server, **given)
        except TypeError as exc:  # pragma: no cover - programming error in a command
            raise ConfigError(str(exc)) from exc
        settings = msgspec.structs.replace(settings, server=server)
    return settings


def run_service(settings: Settings, roles: Roles) -> None:
    structured.configure(settings.server.log_level, settings.server.log_format)
    try:
        asyncio.run(run_node(settings, roles))
    except TracehoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C
        pass


@click.command()
@click.option("--listen", metavar="HOST:PORT", help="Address of the HTTP API (default 127.0.0.1:8080).")
@click.option("--store", metavar="URL", help="Store URL (default sqlite:///tracehound.db).")
@click.option("--workers", default=1, show_default=True, help="Worker tasks folding traffic.")
@config_option
def serve(listen: str | None, store: str | None, workers: int, config_path: Path | None) -> None:
    """Run collector, worker, analyzer and read API in one process (memory bus, SQLite).

    Ingest with POST /v1/traffic (an ingest key: `tracehound keys create --tenant NAME --role
    ingest`); read with GET /v1/... (a read key); docs at /docs; /healthz, /readyz, /metrics.
    """
    settings = service_settings(config_path, listen=listen, store=store)
    if not settings.server.bus.startswith("memory:"):
        raise click.UsageError("serve runs on the in-process bus; for NATS run collector/worker/analyzer")
    run_service(settings, Roles(collector=True, workers=max(workers, 1), analyzer=True, read_api=True))
