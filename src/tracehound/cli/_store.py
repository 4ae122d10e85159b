"""The ``--store URL`` option shared by the administration commands (``tenants``, ``keys``, ``api``).

Its environment variable is the settings tree's ``TRACEHOUND_SERVER__STORE``, the one ``serve``
and the cluster services read, so one variable points every command at the same store. The
default is the file ``serve`` uses, so ``serve`` and ``keys create`` meet on a fresh machine.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import click

from tracehound._plain import visible
from tracehound.config import DEFAULT_STORE_URL
from tracehound.errors import TracehoundError
from tracehound.store import open_store
from tracehound.store.base import Store

STORE_ENV = "TRACEHOUND_SERVER__STORE"

_F = TypeVar("_F", bound=Callable[..., object])


def store_option(fn: _F) -> _F:
    return click.option(
        "--store",
        "store_url",
        envvar=STORE_ENV,
        default=DEFAULT_STORE_URL,
        show_default=True,
        metavar="URL",
        help=f"sqlite:///path or postgresql://user@host/db (also ${STORE_ENV}).",
    )(fn)


@contextmanager
def opened(url: str) -> Iterator[Store]:
    """The store at ``url``; a store error ends the command with its message and status 2."""
    try:
        store = open_store(url)
    except TracehoundError as exc:
        fail(str(exc))
    try:
        yield store
    except TracehoundError as exc:
        fail(str(exc))
    finally:
        store.close()


def fail(message: str) -> NoReturn:
    """One error line (control characters in arguments shown as escapes) and exit status 2."""
    click.echo(f"error: {visible(message)}", err=True)
    sys.exit(2)
