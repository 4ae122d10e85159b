"""Tracehound: API discovery, sensitive-data mapping and attack detection from traffic."""

from __future__ import annotations

__version__ = "0.1.0"
