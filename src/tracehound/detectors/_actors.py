"""Small statistics over an endpoint's actors shared by the cross-request families."""

from __future__ import annotations

from collections.abc import Iterable

from tracehound.profiles.behaviour import ActorStats

MIN_WINDOW_S = 60.0
"""Rates are per this many seconds at least, so a client with one request is not 'fast'."""


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def rate(actor: ActorStats) -> float | None:
    """Requests per second over the actor's active span (None without timestamps)."""
    if actor.first_seen is None or actor.last_seen is None:
        return None
    return actor.count / max(actor.last_seen - actor.first_seen, MIN_WINDOW_S)
