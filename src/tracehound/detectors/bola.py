"""``bola``: a principal reaches objects that belong to other principals (OWASP API1:2023).

From the merged state, per endpoint with object ids (path parameters, ``id``-like query
parameters): each object's owner is the principal that touched it most (first toucher on ties),
so an id first or mostly used by one principal and then by another is *foreign* to the second.
On an endpoint where principals keep to their own objects (the median principal's foreign share
is low), a principal whose touches are mostly foreign is accessing other users' objects. On a
shared catalogue (``/products/{id}``) everyone's foreign share is high, and nobody is flagged.

Sequential id walking (``…/41``, ``/42``, ``/43`` by one client) is the same abuse done blind;
runs of ``WALK_MIN`` consecutive integer ids, far longer than other clients' runs on the same
endpoint, are reported too.

Ids are hashed in state (``profiles.behaviour``); findings name the principal hash and its
addresses, never an id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._actors import median
from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour, Touch

MIN_PRINCIPALS = 3
"""Principals an endpoint needs before ownership means anything."""
MIN_FOREIGN = 3
"""Foreign objects a principal must touch to be flagged."""
FOREIGN_SHARE = 0.5
"""Share of a principal's objects that must be foreign."""
OTHERS_MAX_SHARE = 0.2
"""The other principals' median foreign share must stay below this (private objects)."""
OWNER_MIN_TOUCHES = 2
"""An owner comes back to its objects: an id touched once by anyone proves no ownership (random
ids on a large catalogue collide between users without anyone owning them)."""
WALK_MIN = 10
"""Consecutive integer ids that make a walk…"""
WALK_FACTOR = 3.0
"""…and that many times the other clients' median walk (browsing a numbered catalogue in order is
what everyone does there; walking where others jump between their own ids is not)."""


def _owner(touches: dict[str, Touch]) -> str:
    inf = float("inf")
    return min(
        touches,
        key=lambda p: (-touches[p].count, touches[p].first_seen if touches[p].first_seen is not None else inf, p),
    )


class BolaDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.BOLA,)
    severity: ClassVar[Severity] = Severity.HIGH

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        return ()

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        location = state.id_location or "request.path"
        out = self._ownership(state, location)
        walks = {key: actor.walk for key, actor in state.actors.items()}
        for key in sorted(state.actors):
            actor = state.actors[key]
            others = [w for k, w in walks.items() if k != key]
            need = max(WALK_MIN, WALK_FACTOR * median(others)) if others else 2 * WALK_MIN
            if actor.walk >= need:
                out.append(
                    Verdict(
                        detection=self.detection(location, f"sequential id walking: {actor.walk} consecutive ids"),
                        actors=(key,),
                        subject=f"walk:{key}",
                        count=actor.walk,
                        first_seen=actor.first_seen,
                        last_seen=actor.last_seen,
                    )
                )
        return out

    def _ownership(self, state: EndpointBehaviour, location: str) -> list[Verdict]:
        touched: dict[str, int] = {}
        foreign: dict[str, int] = {}
        when: dict[str, tuple[float, float]] = {}
        """First and last time a principal first touched a foreign object."""
        for touches in state.objects.values():
            owner = _owner(touches)
            if touches[owner].count < OWNER_MIN_TOUCHES:
                continue
            for who in touches:
                touched[who] = touched.get(who, 0) + 1
                if who != owner:
                    foreign[who] = foreign.get(who, 0) + 1
                    at = touches[who].first_seen
                    if at is not None:
                        lo, hi = when.get(who, (at, at))
                        when[who] = (min(lo, at), max(hi, at))
        if len(touched) < MIN_PRINCIPALS:
            return []
        shares = {who: foreign.get(who, 0) / n for who, n in touched.items()}
        out = []
        for who in sorted(touched):
            n_foreign = foreign.get(who, 0)
            if n_foreign < MIN_FOREIGN or shares[who] < FOREIGN_SHARE:
                continue
            others = median(s for p, s in shares.items() if p != who)
            if others > OTHERS_MAX_SHARE:
                continue
            stats = state.principals.get(who)
            actors = (*stats.addresses, who) if stats is not None else (who,)
            out.append(
                Verdict(
                    detection=self.detection(
                        location,
                        f"principal {who} touched {n_foreign} objects owned by other principals "
                        f"({shares[who]:.0%} of its {touched[who]}; others' median {others:.0%})",
                    ),
                    actors=actors,
                    subject=who,
                    count=n_foreign,
                    first_seen=when[who][0] if who in when else None,
                    last_seen=when[who][1] if who in when else None,
                )
            )
        return out
