"""``mass_assignment``: privileged-looking fields the learned request schema lacks, accepted anyway.

A client that adds ``role``, ``is_admin``, ``balance``, ``owner``, ``permissions`` or ``verified``
to a request body the API never received them in — and gets a 2xx — is probing whether the server
binds whatever it is sent to its model (OWASP API3:2023). "Never received" means: the endpoint's
request-body schema, as the store learned it before this run, has at least
``MIN_BODY_SAMPLES`` samples and no such property at that path. Without a learned schema nothing
is judged (a learning run comes first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from tracehound.detectors._behaviour_base import BehaviourDetector, Seen, Verdict
from tracehound.detectors._evidence import excerpt
from tracehound.model import BodyKind, Detection, DetectionType, Severity
from tracehound.profiles.behaviour import EndpointBehaviour
from tracehound.profiles.schema import SchemaNode

PRIVILEGED = frozenset(
    {
        "role",
        "roles",
        "admin",
        "isadmin",
        "administrator",
        "superuser",
        "issuperuser",
        "staff",
        "isstaff",
        "balance",
        "credit",
        "credits",
        "owner",
        "ownerid",
        "permission",
        "permissions",
        "privilege",
        "privileges",
        "verified",
        "isverified",
        "emailverified",
        "accesslevel",
        "userlevel",
        "usertype",
        "accounttype",
        "group",
        "groups",
        "scope",
        "scopes",
        "isactive",
        "approved",
        "isapproved",
    }
)
"""Field names (lower-case, without ``_`` and ``-``) that grant rights or money when bound."""
MIN_BODY_SAMPLES = 20
_BODY_KINDS = (BodyKind.JSON, BodyKind.FORM, BodyKind.MULTIPART)


def _has_path(root: SchemaNode, path: str) -> bool:
    node: SchemaNode | None = root
    for part in path.split("."):
        if node is None:
            return False
        node = node.properties.get(part.replace("[]", ""))
        for _ in range(part.count("[]")):
            node = node.items if node is not None else None
    return node is not None


class MassAssignmentDetector(BehaviourDetector):
    types: ClassVar[tuple[DetectionType, ...]] = (DetectionType.MASS_ASSIGNMENT,)
    severity: ClassVar[Severity] = Severity.HIGH

    def inspect(self, seen: Seen) -> Sequence[Detection]:
        ex = seen.ex
        profile = seen.profile
        if (
            profile is None
            or not 200 <= ex.status < 300
            or ex.request_body.kind not in _BODY_KINDS
            or profile.request_body.count < MIN_BODY_SAMPLES
        ):
            return ()
        out: list[Detection] = []
        done: set[str] = set()
        for location, value in seen.fields:
            if not location.startswith("request.body.") or location in done:
                continue
            path = location[13:]
            name = path.rsplit(".", 1)[-1].replace("[]", "")
            if name.lower().replace("_", "").replace("-", "") not in PRIVILEGED:
                continue
            done.add(location)
            # The body schema may be folded from a sample of bodies (runner.Sampling); the
            # positive model sees every one, so a field it has learned is known either way.
            if _has_path(profile.request_body, path) or (seen.learned is not None and location in seen.learned.params):
                continue
            shown = excerpt(f"{name}={value!s}")
            out.append(
                self.detection(
                    location,
                    f"{shown}: not in the request schema learned from {profile.request_body.count} bodies, "
                    f"accepted with {ex.status}",
                )
            )
        return out

    def evaluate(self, endpoint: tuple[str, str, str], state: EndpointBehaviour) -> Sequence[Verdict]:
        return ()
