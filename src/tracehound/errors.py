"""Errors a user can cause, each naming what is wrong and what would fix it."""

from __future__ import annotations


class TracehoundError(Exception):
    """Base of every error caused by input, configuration or the environment."""


class InputError(TracehoundError):
    """A traffic file or document cannot be read at all (not one bad entry: those are counted)."""


class ConfigError(TracehoundError):
    """A setting is unknown, has the wrong type, or an out-of-range value."""


class StoreError(TracehoundError):
    """The store cannot be opened, migrated or written."""


class BusError(TracehoundError):
    """The bus cannot be reached or refused a message."""


class OutputError(TracehoundError):
    """An output target cannot be written safely: a symbolic link, a directory, a socket, unwritable."""
