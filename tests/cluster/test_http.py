"""The operations endpoints answer without authentication, so they say what is down, never why."""

from __future__ import annotations

import logging

import httpx
import pytest

from tracehound.bus.jetstream import _ConnectionEvents
from tracehound.cluster.http import ops_app
from tracehound.cluster.metrics import Metrics

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


SECRET_DETAIL = "store postgresql://127.0.0.1:5432/th?user=u&password=***: connection refused"


async def test_readyz_names_the_dependency_and_logs_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    async def ready() -> dict[str, str]:
        return {"store": SECRET_DETAIL}

    transport = httpx.ASGITransport(app=ops_app(Metrics(), ready, "t"))
    with caplog.at_level(logging.WARNING):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "problems": {"store": "unavailable"}}
    assert "connection refused" in caplog.text  # operators still learn why, from the log


async def test_bus_connection_logs_never_carry_credentials(caplog: pytest.LogCaptureFixture) -> None:
    events = _ConnectionEvents(["nats://alice:s3cretPW@n1:4222", "nats://s3cretTOKEN@n2:4222"])
    with caplog.at_level(logging.INFO):
        await events.on_error(ConnectionRefusedError("refused"))
        await events.on_disconnected()
        await events.on_reconnected()
    assert "n1:4222" in caplog.text and "n2:4222" in caplog.text
    assert "s3cret" not in caplog.text
