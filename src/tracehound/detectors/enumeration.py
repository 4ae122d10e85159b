"""``enumeration``: one client touching far more distinct object ids, or 404s, than anyone else.

Scraping or probing an id space shows as a client whose distinct ids on an endpoint (a bottom-K
sketch of hashed ids, ``profiles.behaviour``) are many and far above the other clients' median,
or whose answers are mostly ``404 Not Found`` across many ids (guessing ids that do not exist).
Cross-request by nature: evaluated over merged state at the end of a run (OWASP API1:2023).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._actors import median
from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour, sketch_count

MIN_IDS = 50
"""Distinct ids a client needs before it can be enumerating."""
FACTOR = 5.0
"""…and that many times the other clients' median distinct ids."""
MIN_PEERS = 3
"""Other clients needed for a median; with fewer, ``ALONE_IDS`` distinct ids are required."""
ALONE_IDS = 200
MIN_NOT_FOUND = 20
NOT_FOUND_SHARE = 0.5
MIN_NOT_FOUND_IDS = 10


class EnumerationDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.ENUMERATION,)
    severity: ClassVar[Severity] = Severity.MEDIUM

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        return ()

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        location = state.id_location or "request.path"
        distinct = {key: sketch_count(actor.ids) for key, actor in state.actors.items()}
        out = []
        for key in sorted(state.actors):
            actor = state.actors[key]
            ids = distinct[key]
            peers = [n for k, n in distinct.items() if k != key and n > 0]
            need = max(MIN_IDS, FACTOR * median(peers)) if len(peers) >= MIN_PEERS else ALONE_IDS
            reason = None
            if ids >= need:
                reason = f"{ids:.0f} distinct ids (other clients' median {median(peers):.0f})"
            elif (
                actor.not_found >= MIN_NOT_FOUND
                and actor.not_found >= NOT_FOUND_SHARE * actor.count
                and ids >= MIN_NOT_FOUND_IDS
            ):
                reason = f"{actor.not_found} of {actor.count} requests answered 404 across {ids:.0f} ids"
            if reason is not None:
                out.append(
                    Verdict(
                        detection=self.detection(location, reason),
                        actors=(key,),
                        subject=key,
                        count=actor.count,
                        first_seen=actor.first_seen,
                        last_seen=actor.last_seen,
                    )
                )
        return out
