"""``tracehound tenants create NAME | list``: the tenants whose data and keys the store keeps apart."""

from __future__ import annotations

import datetime as dt

import click

from tracehound.cli._store import opened, store_option


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@click.group()
def tenants() -> None:
    """Create and list tenants."""


@tenants.command("create")
@click.argument("name")
@store_option
def create(name: str, store_url: str) -> None:
    """Create tenant NAME (an error if it exists)."""
    with opened(store_url) as store:
        store.create_tenant(name)
    click.echo(f"created tenant {name}")


@tenants.command("list")
@store_option
def list_(store_url: str) -> None:
    """List tenants, one per line: name and creation time."""
    with opened(store_url) as store:
        for tenant in store.list_tenants():
            click.echo(f"{tenant.name}\t{_when(tenant.created)}")
