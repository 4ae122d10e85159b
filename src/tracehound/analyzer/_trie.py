"""The path trie templating works on: provisional endpoints, nodes, final templates and decisions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tracehound.profiles.endpoint import EndpointProfile


@dataclass(frozen=True)
class SegmentDecision:
    """Why one segment of a final template is what it is."""

    segment: str
    rule: str
    evidence: str


@dataclass
class Observed:
    """One provisional endpoint: the unit that templating groups."""

    method: str
    segments: tuple[str, ...]
    profile: EndpointProfile
    weight: float | None = None
    """Requests in units of the service's repetition (`templating.weigh`); None: the distinct requests."""

    @property
    def requests(self) -> float:
        return float(self.profile.distinct_requests()) if self.weight is None else self.weight


@dataclass
class Node:
    children: dict[str, Node] = field(default_factory=dict)
    endpoints: list[Observed] = field(default_factory=list)
    values: set[str] = field(default_factory=set)
    """The concrete words merged into this node (for evidence)."""

    def add(self, obs: Observed, depth: int = 0) -> None:
        node = self
        for seg in obs.segments:
            node = node.children.setdefault(seg, Node())
        node.endpoints.append(obs)

    def absorb(self, other: Node) -> None:
        self.endpoints.extend(other.endpoints)
        self.values |= other.values
        for seg, child in other.children.items():
            mine = self.children.get(seg)
            if mine is None:
                self.children[seg] = child
            else:
                mine.absorb(child)

    def walk(self) -> Iterable[Observed]:
        yield from self.endpoints
        for child in self.children.values():
            yield from child.walk()


@dataclass(frozen=True)
class Template:
    """A final template, and the decision behind each segment."""

    segments: tuple[str, ...]
    decisions: tuple[SegmentDecision, ...]
    kinds: tuple[str | None, ...] = ()
    """Per segment: the value kind of a parameter (``int``, ``uuid``, ``str``...), None for literals."""

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)
