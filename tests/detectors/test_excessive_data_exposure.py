"""Excessive data exposure: secret-bearing response fields and unbounded collections."""

from __future__ import annotations

from behaviour_traffic import Traffic, observe

from tracehound.detectors.excessive_data_exposure import _largest_list
from tracehound.model import SensitiveHit, SensitiveType
from tracehound.pipeline.behaviour import BehaviourEngine


def _found(hits: list[SensitiveHit], response: object = None, query: str = "") -> set[str]:
    tx = Traffic().add("GET", "/api/users", response=response if response is not None else {}, query=query)
    return {d.location for d in observe(BehaviourEngine(), tx, hits) if d.type.value == "excessive_data_exposure"}


def test_secret_types_in_response_bodies():
    card = SensitiveHit(type=SensitiveType.CREDIT_CARD, location="response.body.card", confidence=0.95, masked="4111")
    email = SensitiveHit(type=SensitiveType.EMAIL, location="response.body.email", confidence=0.99, masked="j***")
    weak = SensitiveHit(type=SensitiveType.PASSWORD, location="response.body.pw", confidence=0.5, masked="<p>")
    in_request = SensitiveHit(type=SensitiveType.PASSWORD, location="request.body.pw", confidence=0.99, masked="<p>")
    assert _found([card, email, weak, in_request]) == {"response.body.card"}


def test_unbounded_collections_without_paging():
    big = {"items": [1] * 1500, "total": 1500}
    assert _found([], big) == {"response.body.items"}
    assert _found([], big, query="page=1") == set()
    assert _found([], {"items": [1] * 20}) == set()


def test_largest_list():
    assert _largest_list([1, 2]) == ("response.body", 2)
    assert _largest_list({"a": [1], "b": [1, 2, 3]}) == ("response.body.b", 3)
    assert _largest_list("text") == ("", 0)


def test_id_fields_are_not_cards():
    card = SensitiveHit(type=SensitiveType.CREDIT_CARD, location="response.body.items[].id", confidence=0.9, masked="x")
    also = SensitiveHit(type=SensitiveType.CREDIT_CARD, location="response.body.trackId", confidence=0.9, masked="x")
    paid = SensitiveHit(type=SensitiveType.CREDIT_CARD, location="response.body.paid", confidence=0.9, masked="x")
    assert _found([card, also, paid]) == {"response.body.paid"}
