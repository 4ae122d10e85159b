"""A service waits for an unreachable bus instead of crash-looping; bad bus settings still fail."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from servers import free_ports
from tracehound.cluster.node import Roles, run_node
from tracehound.config import ServerSettings, Settings
from tracehound.errors import ConfigError

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def settings(tmp_path: Path, bus: str) -> Settings:
    return Settings(server=ServerSettings(bus=bus, store=f"sqlite:///{tmp_path}/n.db", listen=""))


async def test_a_worker_waits_for_an_unreachable_bus_and_stops_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (port,) = free_ports(1)  # nothing listens there
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING)
    task = asyncio.create_task(
        run_node(
            settings(tmp_path, f"nats://127.0.0.1:{port}?connect_timeout=0.2&timeout=0.2"), Roles(workers=1), stop=stop
        )
    )
    await asyncio.sleep(1.5)
    assert not task.done(), "the worker gave up instead of waiting for its bus"
    stop.set()
    await asyncio.wait_for(task, 10)
    assert "node.bus_unavailable" in caplog.text


async def test_bad_bus_settings_are_not_retried(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        await asyncio.wait_for(
            run_node(
                settings(tmp_path, "nats://127.0.0.1:4222?no_such_option=1"), Roles(workers=1), stop=asyncio.Event()
            ),
            10,
        )
