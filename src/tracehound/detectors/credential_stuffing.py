"""``credential_stuffing``: many usernames or many failures against a login-like endpoint.

Per client on a login-like endpoint (``_behaviour_base.LOGIN_PATH``, POST): many distinct
usernames (a bottom-K sketch of their hashes) or many failed attempts (401/403, or another 4xx
but 404) that make up most of its attempts. Distributed stuffing spreads the same over many
clients, each under the per-client bar: the endpoint as a whole then sees many usernames with
mostly failures, and the finding names the clients with the most failures (OWASP API2:2023).
Usernames are hashed in state and never shown. The request with which a client crosses the
per-client bar within a run is also returned as a detection, so it shows in ``--detections``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.model import Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour, sketch_count

MIN_USERS = 10
"""Distinct usernames one client may try before it is stuffing."""
MIN_FAILURES = 20
FAILURE_SHARE = 0.5
DISTRIBUTED_USERS = 50
DISTRIBUTED_FAILURES = 50
DISTRIBUTED_SHARE = 0.5
MAX_NAMED = 20


class CredentialStuffingDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.CREDENTIAL_STUFFING,)
    severity: ClassVar[Severity] = Severity.HIGH

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        """The request with which one client crosses a per-client bar in this run (cheap: two counters)."""
        if not (seen.new_user or seen.failed) or seen.actor is None or not seen.live.login:
            return ()
        actor = seen.live.actors.get(seen.actor)
        if actor is None:
            return ()
        if seen.new_user and len(actor.users) == MIN_USERS:
            return (self.detection("request.body", f"{MIN_USERS} distinct usernames from one client"),)
        if seen.failed and actor.failures == MIN_FAILURES and actor.failures >= FAILURE_SHARE * actor.count:
            return (self.detection("request.body", f"{MIN_FAILURES} failed logins from one client"),)
        return ()

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        if not state.login:
            return ()
        location = "request.body"
        out = []
        for key in sorted(state.actors):
            actor = state.actors[key]
            users = sketch_count(actor.users)
            reason = None
            if users >= MIN_USERS:
                reason = f"{users:.0f} distinct usernames from one client ({actor.failures} failures)"
            elif actor.failures >= MIN_FAILURES and actor.failures >= FAILURE_SHARE * actor.count:
                reason = f"{actor.failures} failed logins of {actor.count} from one client"
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
        users = sketch_count(state.users)
        if (
            not out
            and users >= DISTRIBUTED_USERS
            and state.failures >= DISTRIBUTED_FAILURES
            and state.failures >= DISTRIBUTED_SHARE * state.login
        ):
            worst = sorted(state.actors, key=lambda k: (-state.actors[k].failures, k))[:MAX_NAMED]
            out.append(
                Verdict(
                    detection=self.detection(
                        location,
                        f"distributed: {users:.0f} usernames, {state.failures} failures of {state.login} attempts "
                        f"from {len(state.actors)} clients",
                    ),
                    actors=tuple(worst),
                    subject="distributed",
                    count=state.failures,
                )
            )
        return out
