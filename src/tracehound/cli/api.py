"""``tracehound api``: the read API alone, for clusters (run several behind a load balancer).

It only reads the store (the inventory the analyzer publishes, keys), so it scales out freely and
needs no bus. uvicorn serves it, logging through the structured logger like every service;
SIGTERM drains in-flight requests before exiting.
"""

from __future__ import annotations

import signal
from types import FrameType

import click
import uvicorn

from tracehound.api.read import create_read_app
from tracehound.cli._store import fail, opened, store_option
from tracehound.cluster import logging as structured
from tracehound.cluster.http import uvicorn_config

DEFAULT_API_LISTEN = "127.0.0.1:8081"


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not (port.isascii() and port.isdigit() and len(port) <= 5) or not 0 < int(port) < 65536:
        fail(f"--listen {listen!r}: use HOST:PORT, e.g. 0.0.0.0:8081")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - an explicit ':PORT' asks for every interface


@click.command()
@store_option
@click.option(
    "--listen", default=DEFAULT_API_LISTEN, show_default=True, metavar="HOST:PORT", help="Address to serve on."
)
@click.option("--log-level", default="warning", show_default=True, type=click.Choice(["debug", "info", "warning"]))
@click.option("--log-format", default="text", show_default=True, type=click.Choice(["text", "json"]))
def api(store_url: str, listen: str, log_level: str, log_format: str) -> None:
    """Serve the read API (GET /v1/...; docs at /docs; /healthz, /readyz, /metrics)."""
    host, port = parse_listen(listen)
    structured.configure(log_level, log_format)
    with opened(store_url) as store:
        app = create_read_app(store)
        click.echo(f"read API on http://{listen} (docs at /docs)", err=True)
        # uvicorn drains on SIGTERM, then re-raises the signal it caught to the handler found at
        # start: with the default handler the process would die by the signal (exit -15) without
        # closing the store. This handler turns it into a normal exit, so `with opened` closes it.
        signal.signal(signal.SIGTERM, _exit_after_drain)
        uvicorn.Server(uvicorn_config(app, host, port, log_level, timeout_graceful_shutdown=10)).run()


def _exit_after_drain(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
