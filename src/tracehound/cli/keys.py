"""``tracehound keys create | list | revoke``: API keys, each naming a tenant and a role.

``create`` prints the key once, alone on the last line of standard output (the explanation goes
to standard error, first), so ``KEY=$(tracehound keys create ...)`` captures just the key. The
note names the key by its visible prefix instead of pointing at "the next line": a terminal, a CI
log or a tool that shows standard output before standard error still reads right. The store
keeps only a hash of its secret: a lost key cannot be shown again, only revoked and replaced.
"""

from __future__ import annotations

import sys

import click

from tracehound.cli._store import fail, opened, store_option
from tracehound.cli.tenants import _when
from tracehound.store.base import ROLES


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant the key acts for (see `tracehound tenants list`).")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
    help="ingest: POST traffic; read: the read API; admin: both.",
)
@store_option
def create(tenant: str, role: str, store_url: str) -> None:
    """Create a key; it is printed once, alone on the last line."""
    with opened(store_url) as store:
        key_id, key = store.create_key(tenant, role)
    click.echo(
        f"created key {key_id} for tenant {tenant} (role {role}). The key, th_{key_id}_..., is printed once "
        "on standard output; store it now, it cannot be shown again.",
        err=True,
    )
    sys.stderr.flush()
    click.echo(key)


@keys.command("list")
@click.option("--tenant", help="Only this tenant's keys.")
@store_option
def list_(tenant: str | None, store_url: str) -> None:
    """List keys (never their secrets): key id, tenant, role, created, revoked."""
    with opened(store_url) as store:
        records = store.list_keys(tenant)
    click.echo("key_id\ttenant\trole\tcreated\trevoked")
    for r in records:
        click.echo(f"{r.key_id}\t{r.tenant}\t{r.role}\t{_when(r.created)}\t{_when(r.revoked)}")


@keys.command("revoke")
@click.argument("key_id")
@store_option
def revoke(key_id: str, store_url: str) -> None:
    """Revoke KEY_ID: requests with it get 401 from then on (collectors cache keys for a few seconds)."""
    with opened(store_url) as store:
        revoked = store.revoke_key(key_id)
    if not revoked:
        fail(f"no live key {key_id} (see `tracehound keys list`)")
    click.echo(f"revoked key {key_id}")
