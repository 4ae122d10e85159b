"""Helpers for detector tests: run the engine over one value at one location."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tracehound.detectors.engine import SignatureEngine
from tracehound.model import Body, Detection, Exchange

_ENGINES: dict[int, SignatureEngine] = {}


def exchange(fields: list[tuple[str, str]]) -> Exchange:
    return Exchange(
        seq=0,
        service="api.example.com",
        method="GET",
        segments=(),
        raw_path="/",
        query=(),
        headers={},
        cookies=(),
        request_body=Body(),
        status=200,
        response_headers={},
        response_body=Body(),
        started=None,
        duration_ms=None,
        client=None,
        request_id=None,
    )


def detections(value: str, location: str = "request.query.q", sensitivity: int | None = None) -> list[Detection]:
    level = sensitivity or 0
    if level not in _ENGINES:
        _ENGINES[level] = SignatureEngine() if level == 0 else SignatureEngine(sensitivity=level)
    fields = [(location, value)]
    return _ENGINES[level].inspect(exchange(fields), fields)


def detected_types(value: str, location: str = "request.query.q", sensitivity: int | None = None) -> set[str]:
    return {d.type.value for d in detections(value, location, sensitivity)}


@pytest.fixture
def scan() -> Callable[..., set[str]]:
    return detected_types
