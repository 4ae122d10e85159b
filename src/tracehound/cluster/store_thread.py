"""Runs a synchronous store's calls on one dedicated thread, off the event loop.

The store adapters are synchronous (sqlite3, psycopg), and the services are asyncio programs
that must keep answering HTTP and bus heartbeats while a query runs. One thread per store (not a
pool) also keeps the adapters' single-connection contract: calls never interleave inside a
transaction, whichever task made them.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["StoreThread"]

P = ParamSpec("P")
T = TypeVar("T")


class StoreThread:
    """``await runner.call(store.method, args...)`` runs the call on the store's thread."""

    def __init__(self, name: str = "store") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tracehound-{name}")

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
